#include "bt86/devices/acpi_pm.h"

namespace bt86 {

namespace {

constexpr uint16_t kStatusBits = AcpiPm::kTimerStatus | 1 << 4 /* BM */ | 1 << 5 /* GBL */ |
                                 AcpiPm::kPowerButton | 1 << 9 /* SLPBTN */ | 1 << 10 /* RTC */ | AcpiPm::kWake;
constexpr uint16_t kEnableBits = AcpiPm::kTimerStatus | 1 << 5 | AcpiPm::kPowerButton | 1 << 9 | 1 << 10;
// BM_RLD and SLP_TYP hold what is written; GBL_RLS and SLP_EN are write-only
// strobes; SCI_EN stays set (no SMI port, so no way back to legacy mode).
constexpr uint16_t kControlStored = 1 << 1 | 7 << 10;

constexpr uint64_t kNsPerS = 1'000'000'000, kHz = AcpiPm::kTimerHz;

// Whole seconds and the remainder separately, so nothing overflows 64 bits.
uint64_t ns_to_ticks(uint64_t ns) { return ns / kNsPerS * kHz + ns % kNsPerS * kHz / kNsPerS; }

// Rounded up: the first nanosecond at which the count has reached ticks.
uint64_t ticks_to_ns(uint64_t ticks) { return ticks / kHz * kNsPerS + (ticks % kHz * kNsPerS + kHz - 1) / kHz; }

}  // namespace

AcpiPm::AcpiPm(const Clock& clock, EventQueue& events, IrqLine sci, std::function<void()> on_power_off)
    : clock_(clock), timer_wrap_(events), sci_(sci), on_power_off_(std::move(on_power_off)) {}

uint32_t AcpiPm::timer() const { return static_cast<uint32_t>(ns_to_ticks(clock_.now_ns())); }

uint64_t AcpiPm::timer_periods() const { return ns_to_ticks(clock_.now_ns()) >> 31; }

uint16_t AcpiPm::status() const {
  return latched_status_ | (timer_periods() != timer_periods_cleared_ ? kTimerStatus : 0);
}

uint16_t AcpiPm::register16(uint64_t offset) const {
  switch (offset) {
    case kEventBlock: return status();
    case kEventBlock + 2: return enable_;
    case kControlBlock: return control_;
    default: return 0xFFFF;  // the gap between the control and timer blocks
  }
}

uint32_t AcpiPm::read(uint64_t offset, unsigned size) {
  // One look at the clock per access, so a 32-bit timer read is consistent.
  uint32_t count = timer();
  uint32_t value = 0;
  for (unsigned i = 0; i < size; ++i) {
    uint64_t at = offset + i;
    uint32_t byte = 0xFF;
    if (at >= kTimerBlock && at < kPorts) byte = count >> (8 * (at - kTimerBlock)) & 0xFF;
    else if (at < kTimerBlock) byte = register16(at & ~1ull) >> (8 * (at & 1)) & 0xFF;
    value |= byte << (8 * i);
  }
  return value;
}

void AcpiPm::write(uint64_t offset, unsigned size, uint32_t value) {
  // Gather the bytes per 16-bit register, then apply each register once.
  uint16_t bits[3] = {}, lanes[3] = {};
  for (unsigned i = 0; i < size; ++i) {
    uint64_t at = offset + i;
    if (at >= 6) continue;  // the gap and the read-only timer
    unsigned reg = static_cast<unsigned>(at / 2), shift = 8 * (at & 1);
    bits[reg] |= static_cast<uint16_t>((value >> (8 * i) & 0xFF) << shift);
    lanes[reg] |= static_cast<uint16_t>(0xFF << shift);
  }
  if (lanes[0]) write_status(bits[0] & lanes[0]);
  if (lanes[1]) write_enable(static_cast<uint16_t>((enable_ & ~lanes[1]) | (bits[1] & lanes[1])));
  if (lanes[2]) write_control(static_cast<uint16_t>((control_ & ~lanes[2]) | (bits[2] & lanes[2])));
}

void AcpiPm::write_status(uint16_t clear) {
  if (clear & kTimerStatus) timer_periods_cleared_ = timer_periods();
  latched_status_ &= static_cast<uint16_t>(~(clear & kStatusBits));
  update_sci();
}

void AcpiPm::write_enable(uint16_t value) {
  enable_ = value & kEnableBits;
  update_sci();
}

void AcpiPm::write_control(uint16_t value) {
  control_ = static_cast<uint16_t>(kSciEnable | (value & kControlStored));
  if ((value & kSleepEnable) && (value >> 10 & 7) == kSleepTypeS5 && on_power_off_) on_power_off_();
  // Other sleep types are not offered to the guest (no \_S1..\_S4): ignored.
}

void AcpiPm::press_power_button() {
  latched_status_ |= kPowerButton;
  update_sci();
}

void AcpiPm::update_sci() {
  sci_.set((status() & enable_) != 0);
  timer_wrap_.cancel();
  // While the timer's overflow may interrupt and has not yet, wake at the
  // next toggle of bit 31 (every ~20 minutes).
  if ((enable_ & kTimerStatus) && !(status() & kTimerStatus))
    timer_wrap_.arm(ticks_to_ns((timer_periods_cleared_ + 1) << 31), [this] { update_sci(); });
}

}  // namespace bt86
