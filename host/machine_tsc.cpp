#include "bt86/host/machine_tsc.h"

#include <x86intrin.h>

#include <ctime>

namespace bt86 {

namespace {
uint64_t monotonic_ns() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(t.tv_nsec);
}
constexpr uint64_t kMinBaselineNs = 1'000'000;
}  // namespace

MachineTsc::MachineTsc(const CpuState& cpu)
    : own_(cpu), cpu_(&cpu), origin_ns_(monotonic_ns()), origin_tsc_(__rdtsc()) {}

uint64_t MachineTsc::now() const { return __rdtsc() + cpu_->tsc_offset; }

double MachineTsc::ns_per_cycle() const {
  uint64_t ns, tsc;
  do {
    ns = monotonic_ns();
    tsc = __rdtsc();
  } while (ns - origin_ns_ < kMinBaselineNs);
  return static_cast<double>(ns - origin_ns_) / static_cast<double>(tsc - origin_tsc_);
}

}  // namespace bt86
