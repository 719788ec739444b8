#include "bt86/host/backend_switch.h"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>

namespace bt86 {

namespace {
// Shortest timed slice (a backend's timer and run granularity).
constexpr double kMinTimedSlice = 5e-6;
// Longest counted slice (a halted guest counts no instructions).
constexpr double kMaxSlice = 0.02;
}  // namespace

BackendSwitcher::BackendSwitcher(std::unique_ptr<Vcpu> first, std::unique_ptr<Vcpu> second, SwitchPolicy policy)
    : backends_{std::move(first), std::move(second)}, policy_(policy) {}

RunOutcome BackendSwitcher::run(const RunLimits& limits) {
  using SteadyClock = std::chrono::steady_clock;
  const double timeout_seconds = limits.timeout_seconds;
  const auto start = SteadyClock::now();
  unsigned current = policy_.start_on_second ? 1 : 0;
  double last_counted_slice = kMinTimedSlice;
  for (;;) {
    double remaining = 0;
    if (timeout_seconds > 0) {
      remaining = timeout_seconds - std::chrono::duration<double>(SteadyClock::now() - start).count();
      if (remaining <= 0) return {exit_status::kTimeout, fmt::format("timeout after {} s", timeout_seconds)};
    }
    Vcpu& cpu = *backends_[current];
    RunOutcome outcome;
    if (cpu.counts_instructions()) {
      // No timeout inside (bt86 would start a watchdog thread per slice):
      // the backstop slice length lets this loop see the timeout instead.
      auto t0 = SteadyClock::now();
      outcome = cpu.run(RunLimits{0, policy_.instructions, policy_.seconds > 0 ? policy_.seconds : kMaxSlice});
      last_counted_slice = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    } else {
      double slice = policy_.seconds > 0 ? policy_.seconds : std::max(last_counted_slice, kMinTimedSlice);
      outcome = cpu.run(RunLimits{remaining, policy_.instructions, slice});
    }
    ++slices_[current];
    if (outcome.exit_status == exit_status::kTimeout)
      return {exit_status::kTimeout, fmt::format("timeout after {} s", timeout_seconds)};
    if (outcome.exit_status != exit_status::kSliceEnded) return outcome;
    // This backend may have written guest memory behind the other's back
    // (KVM writes code and page tables directly): the other's translations
    // and shadow mappings may be stale.
    current ^= 1;
    backends_[current]->guest_memory_changed();
    ++switches_;
  }
}

Stats BackendSwitcher::stats() const {
  Stats s = backends_[0]->stats();
  const Stats other = backends_[1]->stats();
  for (const auto& [reason, count] : other.exits) s.exits[backends_[1]->name() + "_" + reason] += count;
  s.run_seconds += other.run_seconds;
  s.backend_switches = switches_;
  return s;
}

std::string BackendSwitcher::summary() const {
  return fmt::format("switched backends {} times ({} slices on {})", switches_, slices_[1], backends_[1]->name());
}

}  // namespace bt86
