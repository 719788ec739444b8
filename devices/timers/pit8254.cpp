#include "bt86/devices/pit8254.h"

#include <algorithm>

namespace bt86 {

namespace {
constexpr uint64_t kNsPerSecond = 1'000'000'000;
constexpr uint64_t kRefreshTicks = 18;  // the AT's DRAM refresh: channel 1, count 18, ~15 us
}  // namespace

// Split at whole seconds so the products stay far below 2^64.
uint64_t Pit8254::ticks_at(uint64_t ns) {
  return ns / kNsPerSecond * kInputHz + ns % kNsPerSecond * kInputHz / kNsPerSecond;
}

uint64_t Pit8254::ns_at(uint64_t tick) {
  uint64_t rest = tick % kInputHz;
  return tick / kInputHz * kNsPerSecond + (rest * kNsPerSecond + kInputHz - 1) / kInputHz;
}

Pit8254::Pit8254(const Clock& clock, EventQueue& events, IrqLine irq0)
    : ByteDevice(kPorts), clock_(clock), irq0_(irq0), irq0_timer_(events) {
  uint64_t t = ticks_now();
  auto program = [t](PitChannel& ch, unsigned mode, uint16_t count) {
    ch.control(3, mode, false, t);
    ch.write(static_cast<uint8_t>(count), t);
    ch.write(static_cast<uint8_t>(count >> 8), t);
  };
  program(channels_[0], 3, 0);
  program(channels_[1], 2, kRefreshTicks);
  program(channels_[2], 3, 0);
  irq0_.set(channels_[0].out(t));
  arm_irq0();
}

uint8_t Pit8254::read8(uint64_t offset) {
  if (offset == 3) return 0xFF;  // the control word register is write-only
  return channels_[offset].read(ticks_now());
}

void Pit8254::write8(uint64_t offset, uint8_t value) {
  if (offset == 3) {
    control_word(value);
    return;
  }
  uint64_t t = ticks_now();
  channels_[offset].write(value, t);
  if (offset == 0) channel0_changed();
}

void Pit8254::control_word(uint8_t value) {
  uint64_t t = ticks_now();
  unsigned select = value >> 6;
  if (select == 3) {
    // Read-back: bits 1-3 pick counters 0-2; COUNT (bit 5) and STATUS (bit 4) are active low.
    for (unsigned i = 0; i < 3; ++i) {
      if (!(value >> (i + 1) & 1)) continue;
      if (!(value & 0x20)) channels_[i].latch_count(t);
      if (!(value & 0x10)) channels_[i].latch_status(t);
    }
    return;
  }
  unsigned rw = value >> 4 & 3;
  if (rw == 0) {  // counter latch command
    channels_[select].latch_count(t);
    return;
  }
  channels_[select].control(rw, value >> 1 & 7, value & 1, t);
  if (select == 0) channel0_changed();
}

void Pit8254::set_gate(unsigned channel, bool level) {
  channels_.at(channel).set_gate(level, ticks_now());
  if (channel == 0) channel0_changed();
}

void Pit8254::channel0_changed() {
  // What a port write does to OUT happens at once (mode 0 drops it, a new
  // control word sets its initial level). Changes that come with time are
  // the edge timer's.
  irq0_.set(channels_[0].out(ticks_now()));
  arm_irq0();
}

void Pit8254::arm_irq0() {
  armed_rise_ = channels_[0].next_rise(ticks_now());
  if (armed_rise_) irq0_timer_.arm(ns_at(*armed_rise_), [this] { irq0_edge(); });
  else irq0_timer_.cancel();
}

// Each rise of OUT0 reaches the PIC as a fresh edge, and the line then stays
// high until the next one: the time-driven falls of mode 3 are not sent, so a
// timer batch that runs late (the engine only runs timers between blocks)
// cannot turn a tick into a request that vanished. Rises that passed before
// this ran are each sent too; the PIC keeps one request and, with its
// lost-tick catch-up on, owes the others.
void Pit8254::irq0_edge() {
  uint64_t now = ticks_now();
  unsigned rises = 0;
  for (std::optional<uint64_t> t = armed_rise_; t && *t <= now && rises < kMaxRisesPerEdgeRun;
       t = channels_[0].next_rise(*t))
    ++rises;
  for (unsigned i = 0; i < std::max(rises, 1u); ++i) irq0_.pulse();
  arm_irq0();
}

uint8_t SystemControlPortB::read8(uint64_t) {
  uint64_t t = pit_.ticks_now();
  bool refresh = (t / kRefreshTicks) & 1;
  return static_cast<uint8_t>((bits_ & 0x0F) | (refresh ? 0x10 : 0) | (pit_.out(2) ? 0x20 : 0));
}

void SystemControlPortB::write8(uint64_t, uint8_t value) {
  bits_ = value & 0x0F;
  pit_.set_gate(2, value & 0x01);
}

}  // namespace bt86
