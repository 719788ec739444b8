// devices/acpi_pm.h: the PM timer's rate and width, TMR_STS on bit 31
// toggles, the SCI, and the PM1 control block's soft-off, on a VirtualClock.
#include <catch2/catch.hpp>

#include "bt86/devices/acpi_pm.h"

namespace {

using bt86::AcpiPm;
constexpr uint64_t kS = 1'000'000'000;

struct Sink final : bt86::InterruptSink {
  bool level = false;
  unsigned line = 0;
  void set_irq(unsigned l, bool high) override {
    line = l;
    level = high;
  }
};

struct Pm {
  bt86::VirtualClock clock;
  bt86::EventQueue events;
  Sink sci;
  int power_offs = 0;
  AcpiPm pm{clock, events, bt86::IrqLine(sci, AcpiPm::kSciIrq), [this] { ++power_offs; }};

  uint32_t timer() { return pm.read(AcpiPm::kTimerBlock, 4); }
  uint16_t status() { return static_cast<uint16_t>(pm.read(AcpiPm::kEventBlock, 2)); }
  void advance_to_ns(uint64_t ns) {
    clock.advance(ns - clock.now_ns());
    events.run_expired(clock.now_ns());
  }
  // The first nanosecond at which the timer has counted ticks.
  static uint64_t ns_of_tick(uint64_t ticks) { return (ticks * kS + AcpiPm::kTimerHz - 1) / AcpiPm::kTimerHz; }
};

}  // namespace

TEST_CASE_METHOD(Pm, "acpi pm: the timer counts 3,579,545 ticks per second", "[dev][acpi]") {
  CHECK(timer() == 0);
  advance_to_ns(kS);
  CHECK(timer() == 3'579'545);
  advance_to_ns(kS + kS / 1000);
  CHECK(timer() == 3'579'545 + 3'579);  // 3,579.545 ticks per ms, truncated
}

TEST_CASE_METHOD(Pm, "acpi pm: the timer is 32 bits wide, read-only and readable by bytes", "[dev][acpi]") {
  advance_to_ns(ns_of_tick(0x1234'5678));
  CHECK(timer() == 0x1234'5678);
  CHECK(pm.read(AcpiPm::kTimerBlock + 1, 1) == 0x56);
  CHECK(pm.read(AcpiPm::kTimerBlock + 2, 2) == 0x1234);
  pm.write(AcpiPm::kTimerBlock, 4, 0);
  CHECK(timer() == 0x1234'5678);
  advance_to_ns(ns_of_tick(0xFFFF'FFFFull + 5));
  CHECK(timer() == 4);  // wrapped: 2^32 + 4
}

TEST_CASE_METHOD(Pm, "acpi pm: TMR_STS sets when bit 31 toggles and clears when written 1", "[dev][acpi]") {
  advance_to_ns(ns_of_tick(0x7FFF'FFFF));
  CHECK((status() & AcpiPm::kTimerStatus) == 0);
  advance_to_ns(ns_of_tick(0x8000'0000));
  CHECK((status() & AcpiPm::kTimerStatus) != 0);
  pm.write(AcpiPm::kEventBlock, 2, 0);  // writing 0 leaves it
  CHECK((status() & AcpiPm::kTimerStatus) != 0);
  pm.write(AcpiPm::kEventBlock, 2, AcpiPm::kTimerStatus);
  CHECK((status() & AcpiPm::kTimerStatus) == 0);
  advance_to_ns(ns_of_tick(0xFFFF'FFFFull));
  CHECK((status() & AcpiPm::kTimerStatus) == 0);
  advance_to_ns(ns_of_tick(0x1'0000'0000ull));  // bit 31 falls: a toggle too
  CHECK((status() & AcpiPm::kTimerStatus) != 0);
}

TEST_CASE_METHOD(Pm, "acpi pm: with TMR_EN the timer's toggle raises the SCI on IRQ 9", "[dev][acpi]") {
  pm.write(AcpiPm::kEventBlock + 2, 2, AcpiPm::kTimerStatus);
  CHECK(pm.read(AcpiPm::kEventBlock + 2, 2) == AcpiPm::kTimerStatus);
  REQUIRE(events.next_deadline());
  CHECK(*events.next_deadline() == ns_of_tick(0x8000'0000));
  advance_to_ns(ns_of_tick(0x8000'0000) - 1);
  CHECK(!sci.level);
  advance_to_ns(ns_of_tick(0x8000'0000));
  CHECK(sci.level);
  CHECK(sci.line == 9);
  pm.write(AcpiPm::kEventBlock, 2, AcpiPm::kTimerStatus);
  CHECK(!sci.level);
  pm.write(AcpiPm::kEventBlock + 2, 2, 0);
  CHECK(!events.next_deadline());  // disabled: nothing to wake for
}

TEST_CASE_METHOD(Pm, "acpi pm: the power button interrupts only when enabled", "[dev][acpi]") {
  pm.press_power_button();
  CHECK((status() & AcpiPm::kPowerButton) != 0);
  CHECK(!sci.level);
  pm.write(AcpiPm::kEventBlock + 3, 1, AcpiPm::kPowerButton >> 8);  // the enable register's high byte
  CHECK(sci.level);
  pm.write(AcpiPm::kEventBlock + 1, 1, AcpiPm::kPowerButton >> 8);  // clear, by the status's high byte
  CHECK((status() & AcpiPm::kPowerButton) == 0);
  CHECK(!sci.level);
}

TEST_CASE_METHOD(Pm, "acpi pm: SCI_EN stays set, SLP_TYP is kept, SLP_EN is a strobe", "[dev][acpi]") {
  CHECK(pm.read(AcpiPm::kControlBlock, 2) == AcpiPm::kSciEnable);
  pm.write(AcpiPm::kControlBlock, 2, 3u << 10);  // SLP_TYP=3, SCI_EN written 0
  CHECK(pm.read(AcpiPm::kControlBlock, 2) == (AcpiPm::kSciEnable | 3u << 10));
  pm.write(AcpiPm::kControlBlock, 2, 3u << 10 | AcpiPm::kSleepEnable);  // a sleep state not offered
  CHECK(power_offs == 0);
  CHECK((pm.read(AcpiPm::kControlBlock, 2) & AcpiPm::kSleepEnable) == 0);
  pm.write(AcpiPm::kControlBlock, 2, AcpiPm::kSleepTypeS5 << 10);
  CHECK(power_offs == 0);  // the type alone does nothing
  pm.write(AcpiPm::kControlBlock, 2, AcpiPm::kSleepTypeS5 << 10 | AcpiPm::kSleepEnable);
  CHECK(power_offs == 1);
}

TEST_CASE_METHOD(Pm, "acpi pm: the gap between the blocks floats", "[dev][acpi]") {
  CHECK(pm.read(6, 2) == 0xFFFF);
  CHECK(pm.read(AcpiPm::kControlBlock, 4) == (0xFFFFu << 16 | AcpiPm::kSciEnable));
}
