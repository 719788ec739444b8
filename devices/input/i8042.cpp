#include "bt86/devices/i8042.h"

#include <vector>

namespace bt86 {

namespace {
// Status register bits.
constexpr uint8_t kObf = 0x01, kSys = 0x04, kA2 = 0x08, kUnlocked = 0x10, kAuxObf = 0x20,
                  kTimeout = 0x40;
// Command byte bits.
constexpr uint8_t kKbdInt = 0x01, kAuxInt = 0x02, kCbSys = 0x04, kKbdDisabled = 0x10,
                  kAuxDisabled = 0x20, kTranslate = 0x40;
// Output port bits.
constexpr uint8_t kOutReset = 0x01, kOutA20 = 0x02, kOutKbdFull = 0x10, kOutAuxFull = 0x20;
}  // namespace

I8042::I8042(IrqLine irq1, IrqLine irq12, std::function<void()> on_reset,
             std::function<void(bool)> on_a20)
    : irq1_(irq1), irq12_(irq12), on_reset_(std::move(on_reset)), on_a20_(std::move(on_a20)) {
  // What a BIOS leaves: keyboard interrupt on, system flag, aux port off, translation on.
  ram_[0] = kKbdInt | kCbSys | kAuxDisabled | kTranslate;
}

uint8_t I8042::read_status() const {
  uint8_t s = kUnlocked;
  if (have_output_) s |= kObf | (output_.aux ? kAuxObf : 0) | (output_.timeout ? kTimeout : 0);
  if (system_flag_) s |= kSys;
  if (last_was_command_) s |= kA2;
  return s;
}

uint8_t I8042::read_data() {
  // With the buffer empty a read returns the last byte again, so a driver
  // that reads without looking at the status never blocks on us.
  if (have_output_) {
    last_read_ = output_.value;
    have_output_ = false;
    refill();
  }
  return last_read_;
}

void I8042::reply(uint8_t value, bool aux, bool timeout) {
  queue_.push_back({value, Source::kController, aux, timeout});
  refill();
}

void I8042::keyboard_input(uint8_t byte) {
  if (!keyboard_.scanning()) return;
  queue_.push_back({byte, Source::kKeyboard, false, false});
  refill();
}

void I8042::key(Key key, bool pressed) {
  std::vector<uint8_t> bytes;
  keyboard_.key(key, pressed, bytes);
  for (uint8_t b : bytes) queue_.push_back({b, Source::kKeyboard, false, false});
  refill();
}

void I8042::refill() {
  // The controller's own answers always pass; a device's bytes wait while
  // its port is disabled in the command byte. With translation on, a
  // keyboard byte is turned into set 1 as it moves into the output buffer;
  // the break prefix 0xF0 is swallowed there.
  for (auto it = queue_.begin(); !have_output_ && it != queue_.end();) {
    bool blocked = (it->source == Source::kKeyboard && (ram_[0] & kKbdDisabled)) ||
                   (it->source == Source::kAux && (ram_[0] & kAuxDisabled));
    if (blocked) {
      ++it;
      continue;
    }
    Byte byte = *it;
    it = queue_.erase(it);
    if (byte.source == Source::kKeyboard && (ram_[0] & kTranslate) && !translator_.translate(byte.value)) continue;
    output_ = byte;
    have_output_ = true;
  }
  irq1_.set(have_output_ && !output_.aux && (ram_[0] & kKbdInt));
  irq12_.set(have_output_ && output_.aux && (ram_[0] & kAuxInt));
}

void I8042::write_data(uint8_t value) {
  last_was_command_ = false;
  if (pending_command_) {
    uint8_t command = pending_command_;
    pending_command_ = 0;
    parameter(command, value);
    return;
  }
  std::vector<uint8_t> replies;
  keyboard_.command(value, replies);
  for (uint8_t r : replies) queue_.push_back({r, Source::kKeyboard, false, false});
  refill();
}

void I8042::write_command(uint8_t value) {
  last_was_command_ = true;
  pending_command_ = 0;
  if (value >= 0x20 && value <= 0x3F) {  // read controller RAM (0x20: command byte)
    reply(ram_[value & 0x1F]);
    return;
  }
  if ((value >= 0x60 && value <= 0x7F) || value == 0xD1 || value == 0xD2 || value == 0xD3 ||
      value == 0xD4) {
    pending_command_ = value;  // the data byte follows on port 0x60
    return;
  }
  if (value >= 0xF0) {  // pulse output port bits 0-3 that are 0 in the command
    pulse_output_port(static_cast<uint8_t>(~value & 0x0F));
    return;
  }
  switch (value) {
    case 0xA4: reply(0xF1); return;  // password: none installed
    case 0xA7: ram_[0] |= kAuxDisabled; break;
    case 0xA8: ram_[0] &= static_cast<uint8_t>(~kAuxDisabled); break;
    case 0xA9: reply(0x00); return;  // aux interface test: lines fine
    case 0xAA:                       // controller self test
      system_flag_ = true;
      reply(0x55);
      return;
    case 0xAB: reply(0x00); return;  // keyboard interface test: lines fine
    case 0xAD: ram_[0] |= kKbdDisabled; break;
    case 0xAE: ram_[0] &= static_cast<uint8_t>(~kKbdDisabled); break;
    case 0xC0: reply(0x80); return;  // input port: keyboard not inhibited
    case 0xD0: reply(output_port()); return;
    case 0xDD: write_output_port(output_bits_ & static_cast<uint8_t>(~kOutA20)); return;
    case 0xDF: write_output_port(output_bits_ | kOutA20); return;
    case 0xE0: reply(0x00); return;  // test inputs
    default: return;                 // unknown commands are ignored
  }
  refill();  // enabling a port may release a waiting byte; IRQs follow the command byte
}

void I8042::parameter(uint8_t command, uint8_t value) {
  if (command >= 0x60 && command <= 0x7F) {
    ram_[command & 0x1F] = value;
    if (command == 0x60) system_flag_ = value & kCbSys;
    refill();
    return;
  }
  switch (command) {
    case 0xD1: write_output_port(value); return;
    case 0xD2: queue_.push_back({value, Source::kController, false, false}); break;
    case 0xD3: queue_.push_back({value, Source::kController, true, false}); break;
    default:  // 0xD4: to the aux device, and there is none
      queue_.push_back({0xFE, Source::kController, true, true});
      break;
  }
  refill();
}

uint8_t I8042::output_port() const {
  uint8_t v = output_bits_ & static_cast<uint8_t>(~(kOutKbdFull | kOutAuxFull));
  if (have_output_) v |= output_.aux ? kOutAuxFull : kOutKbdFull;
  return v;
}

void I8042::write_output_port(uint8_t value) {
  output_bits_ = value;
  update_a20();
  if (!(value & kOutReset)) {
    request_reset();
    output_bits_ |= kOutReset;  // the reset that follows reinitializes the line
  }
}

void I8042::pulse_output_port(uint8_t mask) {
  if (mask & kOutReset) request_reset();  // 0xFE: the classic way to reboot
}

void I8042::set_fast_a20(bool open) {
  fast_a20_ = open;
  update_a20();
}

void I8042::update_a20() {
  bool open = (output_bits_ & kOutA20) || fast_a20_;
  if (open == a20_) return;
  a20_ = open;
  if (on_a20_) on_a20_(open);
}

void SystemControlPortA::write8(uint64_t, uint8_t value) {
  bool reset = (value & 0x01) && !(value_ & 0x01);  // a 0 -> 1 transition
  value_ = value & 0x03;
  kbc_.set_fast_a20(value & 0x02);
  if (reset) kbc_.request_reset();
}

}  // namespace bt86
