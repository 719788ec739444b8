// The ACPI fixed-hardware power-management registers of a PC chipset:
// the PM1a event block (status, enable), the PM1a control block and the
// 32-bit power-management timer, at ports kBase..kBase+11 as the FADT
// announces them (host/acpi_tables.cpp).
//
// The PM timer is why this exists: a free-running 3.579545 MHz counter that
// Linux uses as a clocksource valid for high-resolution timers (so an idle
// guest can stop its periodic tick) and as the reference it calibrates the
// TSC against when the PIT alone is too noisy, as it is under a translator.
//
// The machine is always in ACPI mode (the FADT has no SMI command port), so
// SCI_EN reads as 1. The SCI is level-triggered on IRQ 9 while any enabled
// status bit is set. Writing SLP_EN with the S5 sleep type powers off.
#pragma once
#include <cstdint>
#include <functional>

#include "bt86/devices/clock.h"
#include "bt86/devices/device.h"
#include "bt86/devices/irq.h"

namespace bt86 {

class AcpiPm final : public Device {
public:
  static constexpr uint16_t kBase = 0x600, kPorts = 12;
  // Offsets from kBase: the FADT's PM1a_EVT_BLK (4 bytes), PM1a_CNT_BLK
  // (2 bytes), PM_TMR_BLK (4 bytes). Offsets 6-7 are a gap.
  static constexpr uint16_t kEventBlock = 0, kControlBlock = 4, kTimerBlock = 8;
  static constexpr unsigned kSciIrq = 9;
  static constexpr uint64_t kTimerHz = 3'579'545;
  // Our SLP_TYP encoding of S5 (soft off), given to the guest as \_S5.
  static constexpr unsigned kSleepTypeS5 = 5;

  // PM1 status (RW1C) and enable bits.
  static constexpr uint16_t kTimerStatus = 1 << 0, kPowerButton = 1 << 8, kWake = 1 << 15;
  // PM1 control bits.
  static constexpr uint16_t kSciEnable = 1 << 0, kSleepEnable = 1 << 13;

  AcpiPm(const Clock& clock, EventQueue& events, IrqLine sci, std::function<void()> on_power_off);

  std::string_view name() const override { return "acpi-pm"; }
  uint32_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint32_t value) override;

  uint32_t timer() const;  // the PM timer's count now
  uint16_t status() const;
  // The power button was pressed: PWRBTN_STS, an SCI if enabled.
  void press_power_button();

private:
  uint64_t timer_periods() const;  // how often the timer's bit 31 toggled
  uint16_t register16(uint64_t offset) const;
  void write_status(uint16_t clear);
  void write_enable(uint16_t value);
  void write_control(uint16_t value);
  void update_sci();

  const Clock& clock_;
  TimerSlot timer_wrap_;  // the next toggle of bit 31, while TMR_EN is set
  IrqLine sci_;
  std::function<void()> on_power_off_;
  uint64_t timer_periods_cleared_ = 0;  // timer_periods() when TMR_STS was last cleared
  uint16_t latched_status_ = 0;         // status bits other than TMR_STS
  uint16_t enable_ = 0;
  uint16_t control_ = kSciEnable;
};

}  // namespace bt86
