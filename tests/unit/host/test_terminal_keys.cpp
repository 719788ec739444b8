// host/terminal_keys.h: the bytes a terminal sends become PC keys (US
// layout, Shift and Ctrl where the character needs them, ANSI/xterm escape
// sequences for the cursor and function keys), typed on the i8042.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "bt86/host/terminal_keys.h"

namespace {

using bt86::Key;
using bt86::KeyStroke;

std::vector<KeyStroke> decode(const std::string& bytes) {
  std::vector<KeyStroke> out;
  bt86::decode_terminal_keys({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, out);
  return out;
}

struct NoIrq final : bt86::InterruptSink {
  void set_irq(unsigned, bool) override {}
};

}  // namespace

TEST_CASE("terminal keys: characters, Shift and control characters", "[terminal][keys]") {
  CHECK(decode("a") == std::vector<KeyStroke>{{Key::kA}});
  CHECK(decode("A") == std::vector<KeyStroke>{{Key::kA, true}});
  CHECK(decode("!") == std::vector<KeyStroke>{{Key::k1, true}});
  CHECK(decode(" /?") == std::vector<KeyStroke>{{Key::kSpace}, {Key::kSlash}, {Key::kSlash, true}});
  CHECK(decode("\r\n\t") == std::vector<KeyStroke>{{Key::kEnter}, {Key::kEnter}, {Key::kTab}});
  CHECK(decode("\x7f\x08") == std::vector<KeyStroke>{{Key::kBackspace}, {Key::kBackspace}});
  CHECK(decode("\x03") == std::vector<KeyStroke>{{Key::kC, false, true}});
}

TEST_CASE("terminal keys: escape sequences of the cursor block and function keys", "[terminal][keys]") {
  CHECK(decode("\x1b[A\x1b[B\x1b[C\x1b[D") ==
        std::vector<KeyStroke>{{Key::kUp}, {Key::kDown}, {Key::kRight}, {Key::kLeft}});
  CHECK(decode("\x1b[H\x1bOF\x1b[5~\x1b[6~\x1b[2~\x1b[3~") ==
        std::vector<KeyStroke>{{Key::kHome}, {Key::kEnd}, {Key::kPageUp}, {Key::kPageDown}, {Key::kInsert},
                               {Key::kDelete}});
  CHECK(decode("\x1bOP\x1bOS\x1b[15~\x1b[21~\x1b[24~") ==
        std::vector<KeyStroke>{{Key::kF1}, {Key::kF4}, {Key::kF5}, {Key::kF10}, {Key::kF12}});
  CHECK(decode("\x1b[1;5C") == std::vector<KeyStroke>{{Key::kRight, false, true}});  // Ctrl-Right
  CHECK(decode("\x1b[1;2P") == std::vector<KeyStroke>{{Key::kF1, true}});            // Shift-F1
}

TEST_CASE("terminal keys: Esc alone, Alt as an ESC prefix, unknown sequences", "[terminal][keys]") {
  CHECK(decode("\x1b") == std::vector<KeyStroke>{{Key::kEscape}});
  CHECK(decode("\x1bx") == std::vector<KeyStroke>{{Key::kX, false, false, true}});
  CHECK(decode("\x1b[99~q") == std::vector<KeyStroke>{{Key::kQ}});  // no such key: dropped whole
  CHECK(decode("\x1b[1") == std::vector<KeyStroke>{{Key::kEscape}, {Key::kLeftBracket}, {Key::k1}});  // cut off
}

TEST_CASE("terminal keys: a typed stroke presses its modifiers around the key", "[terminal][keys]") {
  NoIrq irqs;
  bt86::I8042 kbc(bt86::IrqLine(irqs, 1), bt86::IrqLine(irqs, 12), [] {}, [](bool) {});
  bt86::type_key(kbc, {Key::kC, false, true});  // Ctrl-C, translated to set 1
  std::vector<uint8_t> got;
  while (kbc.read_status() & 0x01) got.push_back(kbc.read_data());
  CHECK(got == std::vector<uint8_t>{0x1D, 0x2E, 0xAE, 0x9D});
}
