// The keyboard behind the i8042's first port: enough of a PS/2 (MF2)
// keyboard to answer what drivers send while probing it (reset, identify,
// LEDs, typematic, scanning on/off, the scancode set), so a probe finds a
// keyboard at once instead of waiting for timeouts, and the scancodes of
// keys the host presses on it, in set 2 (the default) or set 1.
#pragma once
#include <cstdint>
#include <vector>

#include "bt86/devices/ps2_scancodes.h"

namespace bt86 {

class Ps2Keyboard {
public:
  // A byte from the controller; appends the keyboard's answer to replies.
  void command(uint8_t byte, std::vector<uint8_t>& replies);
  bool scanning() const { return scanning_; }
  unsigned scancode_set() const { return set_; }
  // Appends the scancodes of a key press or release (none while not scanning).
  void key(Key key, bool pressed, std::vector<uint8_t>& out) const {
    if (scanning_) append_scancode(key, pressed, set_, out);
  }

  static constexpr uint8_t kAck = 0xFA, kResend = 0xFE, kSelfTestPassed = 0xAA, kEcho = 0xEE;

private:
  void answer(uint8_t byte, std::vector<uint8_t>& replies);

  uint8_t awaiting_argument_ = 0;  // a command whose parameter byte comes next
  uint8_t last_sent_ = kAck;       // for the resend command
  bool scanning_ = true;
  unsigned set_ = 2;  // 1 or 2; set 3, which no PC driver needs, is refused
};

}  // namespace bt86
