// Motorola MC146818 real-time clock and CMOS RAM at ports 0x70 (index; bit
// 7 masks NMI) and 0x71 (data), interrupting on ISA IRQ8.
//
// Time is the host's wall clock (UTC) at construction plus the Clock's
// elapsed time; nothing ticks. Updates, the periodic rate and the UIP window
// are positions on the 32.768 kHz divider chain, computed when the guest
// reads; a timer is scheduled only while an enabled interrupt still has its
// flag clear.
#pragma once
#include <array>
#include <cstdint>
#include <optional>

#include "bt86/devices/byte_device.h"
#include "bt86/devices/clock.h"
#include "bt86/devices/irq.h"
#include "bt86/devices/rtc_calendar.h"

namespace bt86 {

// CMOS bytes 0x00-0x7F as a PC BIOS leaves them for a machine with
// ram_bytes of memory (the clock registers 0x00-0x0D are left zero).
std::array<uint8_t, 128> pc_cmos_image(uint64_t ram_bytes);

class Rtc146818 final : public ByteDevice {
public:
  static constexpr uint16_t kPort = 0x70;
  static constexpr uint64_t kPorts = 2;
  static constexpr unsigned kIrq = 8;

  struct WallTime {
    int64_t unix_seconds;
    uint32_t nanoseconds;  // into that second
  };
  // start: the wall time at construction; the host's CLOCK_REALTIME if empty.
  Rtc146818(const Clock& clock, EventQueue& events, IrqLine irq8, uint64_t ram_bytes,
            std::optional<WallTime> start = std::nullopt);

  std::string_view name() const override { return "rtc146818"; }

  bool nmi_enabled() const { return nmi_enabled_; }
  // Register or CMOS byte without side effects (state dumps, BIOS-like setup).
  uint8_t peek(unsigned index);
  void poke_cmos(unsigned index, uint8_t value) { cmos_.at(index & 0x7F) = value; }

protected:
  uint8_t read8(uint64_t offset) override;
  void write8(uint64_t offset, uint8_t value) override;

private:
  uint8_t read_register(unsigned index);
  void write_register(unsigned index, uint8_t value);
  void write_a(uint8_t value, int64_t now);
  void write_b(uint8_t value);
  uint8_t read_c(int64_t now);

  int64_t now() const { return static_cast<int64_t>(clock_.now_ns()); }
  RtcFormat format() const { return {(b_ & 0x04) != 0, (b_ & 0x02) != 0}; }
  bool divider_running() const { return (a_ & 0x70) == 0x20; }
  bool updates_enabled() const { return divider_running() && !(b_ & 0x80); }
  bool update_in_progress(int64_t now) const;
  unsigned periodic_shift() const;  // log2 of the periodic period in 32 kHz clocks
  uint64_t divider_ticks(int64_t now) const;
  int64_t time_of_divider_tick(uint64_t tick) const;

  // Applies the updates and periodic ticks that happened up to now: the
  // calendar, and the UF/AF/PF flags.
  void catch_up(int64_t now);
  bool alarm_matches(int64_t unix_seconds) const;
  void update_irq() { irq8_.set((flags_ & b_ & 0x70) != 0); }  // IRQF = PF.PIE + AF.AIE + UF.UIE
  void schedule();

  const Clock& clock_;
  IrqLine irq8_;
  TimerSlot timer_;
  std::array<uint8_t, 128> cmos_;
  Calendar time_;
  uint8_t alarm_[3] = {0, 0, 0};  // seconds, minutes, hours; raw as written
  uint8_t a_ = 0x26, b_ = 0x02;   // 32.768 kHz, 1024 Hz rate; 24-hour BCD
  uint8_t flags_ = 0;              // register C: PF 0x40, AF 0x20, UF 0x10
  uint8_t index_ = 0;
  bool nmi_enabled_ = true;
  // The divider chain: second boundaries (ends of update cycles) fall at
  // epoch_ + k * 1 s; seconds_done_ is the last k applied.
  int64_t epoch_ = 0;
  int64_t seconds_done_ = 0;
  uint64_t periodic_done_ = 0;  // the last periodic tick that set PF
};

}  // namespace bt86
