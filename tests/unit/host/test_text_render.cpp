// host/text_render.h: a text screen as ANSI output (colours, code page 437,
// the cursor, only the cells that changed) and as a plain-text screen dump.
#include <catch2/catch.hpp>

#include <string>

#include "bt86/host/text_render.h"

namespace {

// A 4x2 screen of spaces in light grey on black, the cursor at (0, 0).
bt86::TextScreen small_screen() {
  bt86::TextScreen s;
  s.cols = 4;
  s.rows = 2;
  s.cells.assign(8, 0x0720);
  s.cursor_visible = true;
  return s;
}

void put(bt86::TextScreen& s, unsigned row, unsigned col, const std::string& text, uint8_t attribute) {
  for (size_t i = 0; i < text.size(); ++i)
    s.cells[row * s.cols + col + i] = static_cast<uint16_t>(static_cast<uint8_t>(text[i]) | attribute << 8);
}

}  // namespace

TEST_CASE("text render: attributes become ANSI colours", "[host][display]") {
  CHECK(bt86::sgr_for_attribute(0x07, true) == "\x1b[0;37;40m");   // light grey on black
  CHECK(bt86::sgr_for_attribute(0x1F, true) == "\x1b[0;97;44m");   // white on blue
  CHECK(bt86::sgr_for_attribute(0x4E, true) == "\x1b[0;93;41m");   // yellow on red
  CHECK(bt86::sgr_for_attribute(0xE1, true) == "\x1b[0;34;43m");   // blinking: the background stays dark
  CHECK(bt86::sgr_for_attribute(0xE1, false) == "\x1b[0;34;103m");  // else it is bright
}

TEST_CASE("text render: the first frame draws every cell, later ones only the changes", "[host][display]") {
  bt86::AnsiRenderer r;
  bt86::TextScreen s = small_screen();
  put(s, 0, 0, "ab", 0x1F);
  const std::string first = r.render(s);
  CHECK(first ==
        "\x1b[?25l\x1b[0m\x1b[H\x1b[2J"
        "\x1b[1;1H\x1b[0;97;44mab\x1b[0;37;40m  "
        "\x1b[2;1H    "
        "\x1b[0m\x1b[1;1H\x1b[?25h");
  CHECK(r.render(s).empty());  // nothing changed
  put(s, 1, 2, "\xC4", 0x07);   // CP437 0xC4: a horizontal line
  s.cursor_row = 1;
  s.cursor_col = 3;
  CHECK(r.render(s) == "\x1b[?25l\x1b[2;3H\x1b[0;37;40m\xE2\x94\x80\x1b[0m\x1b[2;4H\x1b[?25h");
  s.cursor_visible = false;
  CHECK(r.render(s) == "\x1b[?25l\x1b[0m");
  s.rows = 1;  // a new geometry: everything again
  s.cells.resize(4);
  CHECK(r.render(s).find("\x1b[2J") != std::string::npos);
}

TEST_CASE("text render: a screen dump is a line per row, trailing blanks trimmed", "[host][display]") {
  bt86::TextScreen s = small_screen();
  put(s, 0, 1, "ok", 0x4E);
  s.cells[7] = 0;  // NUL shows as a blank
  CHECK(bt86::screen_text(s) == " ok\n\n");
  s.graphics = true;
  CHECK(bt86::screen_text(s).empty());
}
