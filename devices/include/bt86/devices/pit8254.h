// Intel 8254 programmable interval timer at ports 0x40-0x43, clocked at
// 1.193182 MHz. Counters are computed from the Clock (see PitChannel);
// the only timer it schedules is for the rising edges of channel 0's OUT,
// which drives ISA IRQ0. Channel 1 is the (unused) refresh timer; channel 2
// is the speaker/calibration timer behind port 0x61 (SystemControlPortB).
#pragma once
#include <array>
#include <cstdint>

#include "bt86/devices/byte_device.h"
#include "bt86/devices/clock.h"
#include "bt86/devices/irq.h"
#include "bt86/devices/pit_channel.h"

namespace bt86 {

class Pit8254 final : public ByteDevice {
public:
  static constexpr uint16_t kPort = 0x40;
  static constexpr uint64_t kPorts = 4;
  static constexpr uint64_t kInputHz = 1'193'182;

  // Starts as a BIOS leaves it: channel 0 in mode 3 with count 65536
  // (18.2 Hz), channel 1 in mode 2 with count 18, channel 2 in mode 3 with
  // its gate low.
  Pit8254(const Clock& clock, EventQueue& events, IrqLine irq0);

  std::string_view name() const override { return "pit8254"; }

  // Channel 2's gate (port 0x61 bit 0) and every channel's OUT pin, now.
  void set_gate(unsigned channel, bool level);
  bool gate(unsigned channel) const { return channels_.at(channel).gate(); }
  bool out(unsigned channel) const { return channels_.at(channel).out(ticks_now()); }
  const PitChannel& channel(unsigned n) const { return channels_.at(n); }

  // Input-clock ticks elapsed on the Clock, and the time at which a tick begins.
  uint64_t ticks_now() const { return ticks_at(clock_.now_ns()); }
  static uint64_t ticks_at(uint64_t ns);
  static uint64_t ns_at(uint64_t tick);  // the first ns at which ticks_at() >= tick

protected:
  uint8_t read8(uint64_t offset) override;
  void write8(uint64_t offset, uint8_t value) override;

private:
  void control_word(uint8_t value);
  // Channel 0 changed under the guest's hand: follow OUT at once and aim
  // the edge timer at the next rise.
  void channel0_changed();
  // Bounds the edges one late timer run sends (the PIC's catch-up has its own limit).
  static constexpr unsigned kMaxRisesPerEdgeRun = 1000;
  void arm_irq0();
  void irq0_edge();

  const Clock& clock_;
  IrqLine irq0_;
  TimerSlot irq0_timer_;
  std::optional<uint64_t> armed_rise_;  // the tick irq0_timer_ is set for
  std::array<PitChannel, 3> channels_{PitChannel(true), PitChannel(true), PitChannel(false)};
};

// Port 0x61, "system control port B": the channel 2 gate and speaker bits,
// and the status of channel 2's OUT and the refresh toggle that delay loops
// (and Linux's TSC calibration) poll.
class SystemControlPortB final : public ByteDevice {
public:
  static constexpr uint16_t kPort = 0x61;
  explicit SystemControlPortB(Pit8254& pit) : ByteDevice(1), pit_(pit) {}
  std::string_view name() const override { return "port61"; }
  bool speaker_enabled() const { return (bits_ & 3) == 3; }

protected:
  uint8_t read8(uint64_t offset) override;
  void write8(uint64_t offset, uint8_t value) override;

private:
  Pit8254& pit_;
  uint8_t bits_ = 0;  // bits 0-3 as written: gate 2, speaker data, parity and I/O check enables
};

}  // namespace bt86
