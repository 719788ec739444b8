// host/vcpu/hidden_time.h: bt86's own work is hidden from the guest's
// clocks (device clock and TSC alike, by the same interval) and given back
// while the guest halts, never more than was hidden.
#include <catch2/catch.hpp>

#include <x86intrin.h>

#include <time.h>

#include "bt86/devices/clock.h"
#include "bt86/vcpu/hidden_time.h"

using namespace bt86;

namespace {
void spin_ns(uint64_t ns) {
  timespec a{}, b{};
  clock_gettime(CLOCK_MONOTONIC, &a);
  do clock_gettime(CLOCK_MONOTONIC, &b);
  while (static_cast<uint64_t>((b.tv_sec - a.tv_sec) * 1'000'000'000 + (b.tv_nsec - a.tv_nsec)) < ns);
}
uint64_t guest_tsc(const CpuState& cpu) { return __rdtsc() + cpu.tsc_offset; }
}  // namespace

TEST_CASE("hidden_time: an interval of bt86's work does not pass for the guest", "[hidden_time]") {
  HostClock clock;
  HiddenTime hidden(&clock);
  CpuState cpu{};
  const uint64_t ns_before = clock.now_ns(), tsc_before = guest_tsc(cpu);
  const HiddenTime::Mark mark = hidden.mark();
  spin_ns(20'000'000);  // "translating" for 20 ms
  hidden.hide_since(mark, cpu);
  const uint64_t ns_after = clock.now_ns(), tsc_after = guest_tsc(cpu);
  // Both clocks moved by far less than the 20 ms (only the bookkeeping).
  CHECK(ns_after - ns_before < 2'000'000);
  CHECK(clock.behind_ns() >= 20'000'000);
  CHECK(static_cast<int64_t>(tsc_after - tsc_before) >= 0);  // never backwards
  CHECK(tsc_after - tsc_before < 20'000'000);  // < 2 ms at any CPU speed we run on
  // The TSC lost as much as the clock: 20 ms at the host's rate.
  const double cycles_per_ns = static_cast<double>(-cpu.tsc_offset) / static_cast<double>(clock.behind_ns());
  CHECK(cycles_per_ns > 0.1);
  CHECK(cycles_per_ns < 10);
}

TEST_CASE("hidden_time: a halt gives the time back, at most what was hidden", "[hidden_time]") {
  HostClock clock;
  HiddenTime hidden(&clock);
  CpuState cpu{};
  const HiddenTime::Mark mark = hidden.mark();
  spin_ns(10'000'000);
  hidden.hide_since(mark, cpu);
  const uint64_t behind = clock.behind_ns();
  const uint64_t lost_tsc = 0 - cpu.tsc_offset;
  REQUIRE(behind >= 10'000'000);

  const uint64_t before = clock.now_ns();
  CHECK(hidden.catch_up(behind / 4, cpu) == behind / 4);
  CHECK(clock.now_ns() - before >= behind / 4);
  const uint64_t given_tsc = lost_tsc - (0 - cpu.tsc_offset);
  CHECK(given_tsc == Approx(lost_tsc / 4.0).epsilon(0.01));  // the same share

  CHECK(hidden.catch_up(UINT64_MAX, cpu) == behind - behind / 4);  // no more than the rest
  CHECK(clock.behind_ns() == 0);
  CHECK(cpu.tsc_offset == 0);  // the TSC is the host's again
  CHECK(hidden.catch_up(1000, cpu) == 0);
}

TEST_CASE("hidden_time: under a virtual clock nothing is hidden", "[hidden_time]") {
  HiddenTime hidden(nullptr);
  CpuState cpu{};
  const HiddenTime::Mark mark = hidden.mark();
  spin_ns(1'000'000);
  hidden.hide_since(mark, cpu);
  CHECK(cpu.tsc_offset == 0);
  CHECK(hidden.behind_ns() == 0);
  CHECK(hidden.catch_up(1000, cpu) == 0);
}

TEST_CASE("hidden_time: a clock read during a hidden interval neither freezes nor steps back the guest's clock",
          "[hidden_time]") {
  HostClock clock;
  HiddenTime hidden(&clock);
  CpuState cpu{};
  const uint64_t before = clock.now_ns();
  const HiddenTime::Mark mark = hidden.mark();
  spin_ns(10'000'000);
  (void)clock.now_ns();  // another thread (a waker) reads the clock while bt86 translates
  spin_ns(10'000'000);
  hidden.hide_since(mark, cpu);
  const uint64_t after = clock.now_ns();
  CHECK(after >= before);
  spin_ns(1'000'000);
  CHECK(clock.now_ns() - after >= 900'000);  // the guest's clock runs on at once
}

TEST_CASE("hidden_time: a busy guest gets a quarter of the time since its last interrupt back", "[hidden_time]") {
  HostClock clock;
  HiddenTime hidden(&clock);
  CpuState cpu{};
  hidden.catch_up_at_interrupt(cpu);  // the first interrupt: the reference point
  const HiddenTime::Mark mark = hidden.mark();
  spin_ns(40'000'000);
  hidden.hide_since(mark, cpu);
  const uint64_t behind = clock.behind_ns();
  spin_ns(20'000'000);  // 20 ms of guest time pass
  hidden.catch_up_at_interrupt(cpu);
  const uint64_t given = behind - clock.behind_ns();
  CHECK(given >= 5'000'000);   // a quarter of the >= 20 ms since
  CHECK(given < 15'000'000);   // not all of the 40 ms at once
  CHECK(static_cast<int64_t>(cpu.tsc_offset) < 0);  // the TSC is still behind too
}

TEST_CASE("hidden_time: the TSC and the device clock are kept back by the same time", "[hidden_time]") {
  HostClock clock;
  HiddenTime hidden(&clock);
  CpuState cpu{};
  const uint64_t host0 = clock.host_ns(), tsc0 = __rdtsc();
  for (int i = 0; i < 200; ++i) {  // many short intervals, as translations are
    const HiddenTime::Mark mark = hidden.mark();
    spin_ns(50'000);
    hidden.hide_since(mark, cpu);
    spin_ns(50'000);
  }
  const double rate = static_cast<double>(__rdtsc() - tsc0) / static_cast<double>(clock.host_ns() - host0);
  const double hidden_rate = static_cast<double>(0 - cpu.tsc_offset) / static_cast<double>(clock.behind_ns());
  CHECK(hidden_rate == Approx(rate).epsilon(0.001));  // 0.1 %: Linux's watchdog needs better than ~0.1 %
}
