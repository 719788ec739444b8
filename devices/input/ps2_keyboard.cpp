#include "bt86/devices/ps2_keyboard.h"

namespace bt86 {

namespace {
enum : uint8_t {
  kSetLeds = 0xED, kEchoCmd = 0xEE, kScanCodeSet = 0xF0, kIdentify = 0xF2, kTypematic = 0xF3,
  kEnable = 0xF4, kDisable = 0xF5, kDefaults = 0xF6, kResendCmd = 0xFE, kReset = 0xFF,
};
// An MF2 keyboard identifies as AB 83.
constexpr uint8_t kId0 = 0xAB, kId1 = 0x83;
}  // namespace

void Ps2Keyboard::answer(uint8_t byte, std::vector<uint8_t>& replies) {
  replies.push_back(byte);
  last_sent_ = byte;
}

void Ps2Keyboard::command(uint8_t byte, std::vector<uint8_t>& replies) {
  if (awaiting_argument_) {
    uint8_t cmd = awaiting_argument_;
    awaiting_argument_ = 0;
    if (cmd != kScanCodeSet) {
      answer(kAck, replies);
      return;
    }
    if (byte > 2) {  // set 3
      answer(kResend, replies);
      return;
    }
    answer(kAck, replies);
    if (byte == 0) answer(static_cast<uint8_t>(set_), replies);  // "which set"
    else set_ = byte;
    return;
  }
  switch (byte) {
    case kSetLeds:
    case kTypematic:
    case kScanCodeSet:
      awaiting_argument_ = byte;
      answer(kAck, replies);
      return;
    case kEchoCmd: answer(kEcho, replies); return;
    case kIdentify:
      answer(kAck, replies);
      answer(kId0, replies);
      answer(kId1, replies);
      return;
    case kEnable:
      scanning_ = true;
      answer(kAck, replies);
      return;
    case kDisable:  // stops scanning (and restores defaults, which we have none of)
      scanning_ = false;
      answer(kAck, replies);
      return;
    case kDefaults: answer(kAck, replies); return;
    case kResendCmd: replies.push_back(last_sent_); return;
    case kReset:
      scanning_ = true;
      set_ = 2;
      answer(kAck, replies);
      answer(kSelfTestPassed, replies);
      return;
    default:
      // 0xF7-0xFD (scan set 3 key modes) are accepted; anything else is
      // not a command the keyboard knows.
      answer(byte >= 0xF7 ? kAck : kResend, replies);
      return;
  }
}

}  // namespace bt86
