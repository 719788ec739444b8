#include "bt86/vcpu/hidden_time.h"

#include <x86intrin.h>

namespace bt86 {

HiddenTime::HiddenTime(HostClock* clock) : clock_(clock) { origin_ = mark(); }

double HiddenTime::tsc_per_ns() const {
  const Mark now = mark();
  if (now.ns <= origin_.ns) return 0;
  return static_cast<double>(now.tsc - origin_.tsc) / static_cast<double>(now.ns - origin_.ns);
}

// The clock and the TSC read as one moment: the clock between two TSC reads
// that lie close together, so that the host descheduling us between the
// reads (a TSC rate from a mark with milliseconds between its halves was
// 40 % off, and the guest's TSC and device clocks parted) is not taken.
HiddenTime::Mark HiddenTime::mark() const {
  if (!clock_) return {};
  constexpr uint64_t kCloseCycles = 20'000;
  Mark m{};
  for (int attempt = 0; attempt < 8; ++attempt) {
    const uint64_t before = __rdtsc();
    m.ns = clock_->host_ns();
    const uint64_t after = __rdtsc();
    m.tsc = before + (after - before) / 2;
    if (after - before < kCloseCycles) break;
  }
  return m;
}

// The interval is measured in TSC cycles alone and converted: reading the
// TSC and the host clock at both ends gave intervals whose lengths differed
// by ~0.2 % (the reads' own costs), and the guest's TSC then ran that much
// faster than its device clocks (Linux's clocksource watchdog marked the
// TSC unstable).
void HiddenTime::hide_since(const Mark& start, CpuState& cpu) {
  if (!clock_) return;
  uint64_t tsc = __rdtsc() - start.tsc;
  const double rate = tsc_per_ns();
  if (rate <= 0) return;
  auto ns = static_cast<uint64_t>(static_cast<double>(tsc) / rate);
  // Never more than the host clock saw pass: a few ns too many would step
  // the guest's clock back. The TSC then hides the same shorter time, so
  // the two stay together. (Clamping now_ns() instead froze the guest's
  // clock after any translation during which another thread read it, and
  // Linux's PIT calibration failed every boot.)
  const uint64_t host = clock_->host_ns();
  const uint64_t seen = host > start.ns ? host - start.ns : 0;
  if (ns > seen) {
    ns = seen;
    tsc = static_cast<uint64_t>(static_cast<double>(seen) * rate);
  }
  clock_->stand_still(ns);
  hidden_ns_ += ns;
  cpu.tsc_offset -= tsc;
  behind_tsc_ += tsc;
}

uint64_t HiddenTime::catch_up(uint64_t ns, CpuState& cpu) {
  if (!clock_) return 0;
  const uint64_t behind = clock_->behind_ns();
  if (!behind) return 0;
  const uint64_t given = clock_->catch_up(ns);
  // The TSC gets back the same share of what it lost.
  const uint64_t tsc =
      given == behind ? behind_tsc_ : static_cast<uint64_t>(static_cast<double>(behind_tsc_) * given / behind);
  cpu.tsc_offset += tsc;
  behind_tsc_ -= tsc;
  return given;
}

void HiddenTime::catch_up_at_interrupt(CpuState& cpu) {
  if (!clock_) return;
  const uint64_t now = clock_->now_ns();
  const uint64_t since = now > last_interrupt_ns_ ? now - last_interrupt_ns_ : 0;
  last_interrupt_ns_ = now + catch_up(since / kShareAtInterrupt, cpu);
}

}  // namespace bt86
