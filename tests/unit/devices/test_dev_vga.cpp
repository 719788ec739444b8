// devices/vga.h: the VGA's registers as text modes use them (index/data
// pairs, the attribute flip-flop, the CRTC's cursor and its mono/colour
// ports, input status 1, misc output, the DAC), its planes through the
// window (map mask, odd/even, a BIOS's font load into plane 2, the write
// and read modes), and the text screen they show.
#include <catch2/catch.hpp>

#include <vector>

#include "bt86/devices/vga.h"

namespace {

struct Card {
  std::vector<uint8_t> ram = std::vector<uint8_t>(bt86::VgaMemory::kWindowSize);
  std::vector<bool> direct_changes;
  bt86::Vga vga{ram, [this](bool direct) { direct_changes.push_back(direct); }};

  uint8_t in(uint16_t port) { return static_cast<uint8_t>(vga.ports().read(port - 0x3B0, 1)); }
  void out(uint16_t port, uint8_t v) { vga.ports().write(port - 0x3B0, 1, v); }
  void outw(uint16_t port, uint16_t v) { vga.ports().write(port - 0x3B0, 2, v); }  // index and data at once
  uint8_t peek(uint32_t phys) { return static_cast<uint8_t>(vga.window().read(phys - 0xA0000, 1)); }
  void poke(uint32_t phys, uint8_t v) { vga.window().write(phys - 0xA0000, 1, v); }
  void seq(uint8_t i, uint8_t v) { outw(0x3C4, static_cast<uint16_t>(v << 8 | i)); }
  void gc(uint8_t i, uint8_t v) { outw(0x3CE, static_cast<uint16_t>(v << 8 | i)); }
  void crtc(uint8_t i, uint8_t v) { outw(0x3D4, static_cast<uint16_t>(v << 8 | i)); }
  uint8_t read_gc(uint8_t i) {
    out(0x3CE, i);
    return in(0x3CF);
  }
  // What SeaVGABIOS (and IBM's BIOS) sets around a font load: plane 2 alone,
  // planar addressing, the 64 KiB window at 0xA0000; and back to text.
  void font_access() {
    seq(2, 0x04);
    seq(4, 0x07);
    gc(4, 0x02);
    gc(5, 0x00);
    gc(6, 0x04);
  }
  void text_access() {
    seq(2, 0x03);
    seq(4, 0x02);
    gc(4, 0x00);
    gc(5, 0x10);
    gc(6, 0x0E);
  }
};

}  // namespace

TEST_CASE_METHOD(Card, "vga: index/data pairs of the sequencer, graphics controller and CRTC", "[dev][vga]") {
  seq(1, 0x21);
  out(0x3C4, 0x01);
  CHECK(in(0x3C4) == 0x01);
  CHECK(in(0x3C5) == 0x21);
  gc(8, 0x5A);
  CHECK(read_gc(8) == 0x5A);
  CHECK(read_gc(6) == 0x0E);  // as mode 3 leaves it
  crtc(0x14, 0x1F);
  out(0x3D4, 0x14);
  CHECK(in(0x3D4) == 0x14);
  CHECK(in(0x3D5) == 0x1F);
}

TEST_CASE_METHOD(Card, "vga: misc output reads back at 0x3CC and moves the CRTC to 0x3B4 and status to 0x3BA",
                 "[dev][vga]") {
  CHECK(in(0x3CC) == 0x67);
  out(0x3C2, 0x66);  // mono: CRTC and input status 1 at 0x3Bx
  CHECK(in(0x3CC) == 0x66);
  out(0x3B4, 0x0E);
  out(0x3B5, 0x12);
  CHECK(in(0x3B5) == 0x12);
  CHECK(in(0x3D5) == 0xFF);  // not decoded now
  CHECK(in(0x3DA) == 0xFF);
  const uint8_t a = in(0x3BA), b = in(0x3BA);
  CHECK(((a ^ b) & 0x08) == 0x08);
  out(0x3C2, 0x67);
  out(0x3D4, 0x0E);
  CHECK(in(0x3D5) == 0x12);  // the same register file
}

TEST_CASE_METHOD(Card, "vga: input status 1 toggles retrace and display-enable bits on each read", "[dev][vga]") {
  const uint8_t first = in(0x3DA);
  const uint8_t second = in(0x3DA);
  CHECK(((first ^ second) & 0x09) == 0x09);
  // A guest that waits for retrace to start and then to end gets through both loops.
  int reads = 0;
  while (!(in(0x3DA) & 0x08) && reads < 10) ++reads;
  while ((in(0x3DA) & 0x08) && reads < 10) ++reads;
  CHECK(reads < 10);
}

TEST_CASE_METHOD(Card, "vga: the attribute controller's flip-flop, reset by reading input status 1", "[dev][vga]") {
  in(0x3DA);         // flip-flop to "index"
  out(0x3C0, 0x12);  // index 0x12 (palette address source off)
  out(0x3C0, 0x0A);  // its data
  CHECK(in(0x3C0) == 0x12);
  CHECK(in(0x3C1) == 0x0A);
  out(0x3C0, 0x31);  // index again: 0x11 with the palette address source on
  out(0x3C0, 0x07);
  CHECK(in(0x3C0) == 0x31);
  CHECK(in(0x3C1) == 0x07);
  out(0x3C0, 0x13);  // an index ...
  in(0x3DA);         // ... and a reset: the next write is an index, not data
  out(0x3C0, 0x12);
  CHECK(in(0x3C1) == 0x0A);  // 0x12's data untouched, and 0x13 still holds mode 3's 0x08
  in(0x3DA);
  out(0x3C0, 0x13);
  CHECK(in(0x3C1) == 0x08);
}

TEST_CASE_METHOD(Card, "vga: the DAC palette is written and read three components at a time", "[dev][vga]") {
  out(0x3C8, 5);
  for (uint8_t v : {0x3F, 0x20, 0x41}) out(0x3C9, v);  // the last masked to 6 bits
  out(0x3C9, 0x11);                                    // entry 6 begins
  CHECK(in(0x3C8) == 6);
  out(0x3C7, 5);
  CHECK(in(0x3C7) == 0x03);
  CHECK(in(0x3C9) == 0x3F);
  CHECK(in(0x3C9) == 0x20);
  CHECK(in(0x3C9) == 0x01);
  CHECK(in(0x3C9) == 0x11);
  out(0x3C6, 0xF0);
  CHECK(in(0x3C6) == 0xF0);
}

TEST_CASE_METHOD(Card, "vga: CRTC protection keeps registers 0-7 but the line compare bit", "[dev][vga]") {
  crtc(0x11, 0x8E);
  crtc(0x01, 0x27);
  crtc(0x07, 0x00);
  out(0x3D4, 0x01);
  CHECK(in(0x3D5) == 0x4F);
  out(0x3D4, 0x07);
  CHECK(in(0x3D5) == 0x0F);  // 0x1F with bit 4 cleared
  crtc(0x11, 0x0E);
  crtc(0x01, 0x27);
  out(0x3D4, 0x01);
  CHECK(in(0x3D5) == 0x27);
}

TEST_CASE_METHOD(Card, "vga: text at 0xB8000 is characters in plane 0 and attributes in plane 1", "[dev][vga]") {
  CHECK(vga.direct_text());  // mode 3 at power-on
  const char* text = "Hi";
  for (int i = 0; i < 2; ++i) {
    poke(0xB8000 + 2 * i, static_cast<uint8_t>(text[i]));
    poke(0xB8001 + 2 * i, 0x1F);
  }
  // The machine maps this memory at 0xB8000 for the CPU: the bytes must be
  // where the CPU's own writes would put them.
  CHECK(ram[0x18000] == 'H');
  CHECK(ram[0x18001] == 0x1F);
  CHECK(ram[0x18002] == 'i');
  ram[0x18004] = '!';  // a direct write, as translated code makes it
  ram[0x18005] = 0x4E;
  bt86::TextScreen s = vga.text_screen();
  REQUIRE(s.cols == 80);
  REQUIRE(s.rows == 25);
  CHECK(s.character(0, 0) == 'H');
  CHECK(s.attribute(0, 0) == 0x1F);
  CHECK(s.character(0, 2) == '!');
  CHECK(s.attribute(0, 2) == 0x4E);
  CHECK(peek(0xB8004) == '!');
  CHECK(peek(0xA0000) == 0xFF);  // outside the text window: not decoded
}

TEST_CASE_METHOD(Card, "vga: the map mask picks the planes a planar write reaches", "[dev][vga]") {
  seq(4, 0x06);  // planar
  gc(5, 0x00);
  gc(6, 0x05);  // 0xA0000, 64 KiB
  seq(2, 0x05);  // planes 0 and 2
  poke(0xA0010, 0xC3);
  for (uint8_t p = 0; p < 4; ++p) {
    gc(4, p);
    CHECK(peek(0xA0010) == (p % 2 == 0 ? 0xC3 : 0x00));
  }
}

TEST_CASE_METHOD(Card, "vga: a font loaded into plane 2 reads back and leaves the text alone", "[dev][vga]") {
  for (uint32_t i = 0; i < 160; ++i) poke(0xB8000 + i, static_cast<uint8_t>(i * 7));
  font_access();
  CHECK(direct_changes == std::vector<bool>{false});
  for (uint32_t c = 0; c < 256; ++c)
    for (uint32_t line = 0; line < 16; ++line) poke(0xA0000 + c * 32 + line, static_cast<uint8_t>(c ^ line));
  for (uint32_t c = 0; c < 256; c += 51) CHECK(peek(0xA0000 + c * 32 + 5) == static_cast<uint8_t>(c ^ 5));
  text_access();
  CHECK(direct_changes == std::vector<bool>{false, true});
  for (uint32_t i = 0; i < 160; ++i) CHECK(peek(0xB8000 + i) == static_cast<uint8_t>(i * 7));
  for (uint32_t i = 0; i < 160; ++i) CHECK(ram[0x18000 + i] == static_cast<uint8_t>(i * 7));
  // Odd/even writes reach planes 2 and 3 too when the map mask says so.
  seq(2, 0x0F);
  CHECK(!vga.direct_text());
  poke(0xB8000, 'x');
  font_access();
  CHECK(peek(0xA0000) == 'x');  // plane 2's byte 0 (glyph 0, line 0)
}

TEST_CASE_METHOD(Card, "vga: write modes, the logical function and the bit mask work on the latches",
                 "[dev][vga]") {
  seq(4, 0x06);
  gc(5, 0x00);
  gc(6, 0x05);
  seq(2, 0x0F);
  poke(0xA0000, 0xF0);  // all four planes 0xF0
  peek(0xA0000);        // load the latches
  gc(3, 0x18);          // XOR
  gc(8, 0x3C);          // bit mask
  poke(0xA0001, 0xFF);
  CHECK(peek(0xA0001) == 0xCC);  // (0xFF ^ 0xF0) & 0x3C | 0xF0 & ~0x3C
  gc(3, 0x00);
  gc(8, 0xFF);
  gc(5, 0x02);  // write mode 2: bit p of the byte fills plane p
  poke(0xA0002, 0x05);
  gc(5, 0x00);
  for (uint8_t p = 0; p < 4; ++p) {
    gc(4, p);
    CHECK(peek(0xA0002) == (p == 0 || p == 2 ? 0xFF : 0x00));
  }
  gc(5, 0x01);  // write mode 1: the latches (loaded by the last read, offset 2)
  poke(0xA0003, 0x00);
  gc(5, 0x00);
  gc(4, 0);
  CHECK(peek(0xA0003) == 0xFF);
  gc(4, 1);
  CHECK(peek(0xA0003) == 0x00);
  // Read mode 1: which bits match colour 5 in all planes.
  gc(2, 0x05);
  gc(7, 0x0F);
  gc(5, 0x08);
  CHECK(peek(0xA0002) == 0xFF);
  CHECK(peek(0xA0001) == 0x00);  // 0xCC in every plane
}

TEST_CASE_METHOD(Card, "vga: the CRTC's cursor location, start address and geometry make the screen",
                 "[dev][vga]") {
  crtc(0x0E, 0x01);  // cursor at 0x0145 = 325: row 4, column 5
  crtc(0x0F, 0x45);
  bt86::TextScreen s = vga.text_screen();
  CHECK(s.cursor_visible);
  CHECK(s.cursor_row == 4);
  CHECK(s.cursor_col == 5);
  crtc(0x0C, 0x00);  // scrolled by a row
  crtc(0x0D, 80);
  s = vga.text_screen();
  CHECK(s.cursor_row == 3);
  poke(0xB8000 + 2 * 80, 'R');
  CHECK(vga.text_screen().character(0, 0) == 'R');
  crtc(0x0A, 0x20);  // cursor off
  CHECK(!vga.text_screen().cursor_visible);
  crtc(0x09, 0x47);  // 8-line characters: 80x50
  s = vga.text_screen();
  CHECK(s.cols == 80);
  CHECK(s.rows == 50);
  crtc(0x09, 0x4F);
  crtc(0x11, 0x0E);  // mode 3 protects CR00-CR07
  crtc(0x01, 0x27);  // 40 columns, 40 per row in memory
  crtc(0x13, 0x14);
  s = vga.text_screen();
  CHECK(s.cols == 40);
  CHECK(s.rows == 25);
  gc(6, 0x05);  // a graphics mode: no cells
  CHECK(vga.text_screen().graphics);
}
