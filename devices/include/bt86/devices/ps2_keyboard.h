// The keyboard behind the i8042's first port: enough of a PS/2 (MF2)
// keyboard to answer what drivers send while probing it (reset, identify,
// LEDs, typematic, scanning on/off), so a probe finds a keyboard at once
// instead of waiting for timeouts. It produces no key scancodes itself.
#pragma once
#include <cstdint>
#include <vector>

namespace bt86 {

class Ps2Keyboard {
public:
  // A byte from the controller; appends the keyboard's answer to replies.
  void command(uint8_t byte, std::vector<uint8_t>& replies);
  bool scanning() const { return scanning_; }

  static constexpr uint8_t kAck = 0xFA, kResend = 0xFE, kSelfTestPassed = 0xAA, kEcho = 0xEE;

private:
  void answer(uint8_t byte, std::vector<uint8_t>& replies);

  uint8_t awaiting_argument_ = 0;  // a command whose parameter byte comes next
  uint8_t last_sent_ = kAck;       // for the resend command
  bool scanning_ = true;
};

}  // namespace bt86
