// devices/ps2_scancodes.h and the keyboard behind the i8042: a key's make
// and break codes in sets 1 and 2, the scancode-set command, and the
// controller's set-2-to-set-1 translation as its command byte selects.
#include <catch2/catch.hpp>

#include <vector>

#include "bt86/devices/i8042.h"
#include "bt86/devices/ps2_scancodes.h"

namespace {

using Bytes = std::vector<uint8_t>;

Bytes codes(bt86::Key key, bool pressed, unsigned set) {
  Bytes out;
  bt86::append_scancode(key, pressed, set, out);
  return out;
}

struct NoIrq final : bt86::InterruptSink {
  void set_irq(unsigned, bool) override {}
};

struct Kbc {
  NoIrq irqs;
  bt86::I8042 kbc{bt86::IrqLine(irqs, 1), bt86::IrqLine(irqs, 12), [] {}, [](bool) {}};
  void command(uint8_t v) { kbc.command_device().write(0, 1, v); }
  void send(uint8_t v) { kbc.data_device().write(0, 1, v); }
  // Everything the CPU can read now.
  Bytes drain() {
    Bytes out;
    while (kbc.command_device().read(0, 1) & 0x01) out.push_back(static_cast<uint8_t>(kbc.data_device().read(0, 1)));
    return out;
  }
  void translation(bool on) {
    command(0x60);
    send(on ? 0x65 : 0x25);
  }
};

}  // namespace

TEST_CASE("ps2: make and break codes in sets 1 and 2", "[dev][ps2]") {
  CHECK(codes(bt86::Key::kA, true, 1) == Bytes{0x1E});
  CHECK(codes(bt86::Key::kA, false, 1) == Bytes{0x9E});
  CHECK(codes(bt86::Key::kA, true, 2) == Bytes{0x1C});
  CHECK(codes(bt86::Key::kA, false, 2) == Bytes{0xF0, 0x1C});
  CHECK(codes(bt86::Key::kUp, true, 1) == Bytes{0xE0, 0x48});
  CHECK(codes(bt86::Key::kUp, false, 2) == Bytes{0xE0, 0xF0, 0x75});
  CHECK(codes(bt86::Key::kF10, true, 2) == Bytes{0x09});
  CHECK(codes(bt86::Key::kEnter, true, 1) == Bytes{0x1C});
}

TEST_CASE("ps2: the translation turns every key's set-2 codes into its set-1 codes", "[dev][ps2]") {
  for (unsigned k = 1; k < static_cast<unsigned>(bt86::Key::kCount); ++k)
    for (bool pressed : {true, false}) {
      const auto key = static_cast<bt86::Key>(k);
      bt86::Set2Translator t;
      Bytes out;
      for (uint8_t b : codes(key, pressed, 2))
        if (t.translate(b)) out.push_back(b);
      INFO("key " << k << (pressed ? " make" : " break"));
      CHECK(out == codes(key, pressed, 1));
    }
}

TEST_CASE_METHOD(Kbc, "ps2: keys reach the CPU in set 1 through translation, in set 2 without", "[dev][ps2]") {
  kbc.key(bt86::Key::kLeftShift, true);
  kbc.key(bt86::Key::kA, true);
  kbc.key(bt86::Key::kA, false);
  kbc.key(bt86::Key::kLeftShift, false);
  CHECK(drain() == Bytes{0x2A, 0x1E, 0x9E, 0xAA});  // a BIOS leaves translation on
  translation(false);
  kbc.key(bt86::Key::kDelete, true);
  kbc.key(bt86::Key::kDelete, false);
  CHECK(drain() == Bytes{0xE0, 0x71, 0xE0, 0xF0, 0x71});
}

TEST_CASE_METHOD(Kbc, "ps2: the scancode-set command selects set 1 or 2 and reports it", "[dev][ps2]") {
  translation(false);
  send(0xF0);
  send(0x01);
  CHECK(drain() == Bytes{0xFA, 0xFA});
  send(0xF0);
  send(0x00);
  CHECK(drain() == Bytes{0xFA, 0xFA, 0x01});
  kbc.key(bt86::Key::kEscape, true);
  kbc.key(bt86::Key::kEscape, false);
  CHECK(drain() == Bytes{0x01, 0x81});
  send(0xF5);  // scanning off: keys vanish
  drain();
  kbc.key(bt86::Key::kEscape, true);
  CHECK(drain().empty());
}
