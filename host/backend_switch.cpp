#include "bt86/host/backend_switch.h"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>

namespace bt86 {

namespace {
// Shortest KVM slice (the timer's and KVM_RUN's own granularity).
constexpr double kMinKvmSlice = 5e-6;
// Longest bt86 instruction slice (a halted guest counts no instructions).
constexpr double kMaxSlice = 0.02;
}  // namespace

BackendSwitcher::BackendSwitcher(GuestContext context, SwitchPolicy policy)
    : policy_(policy), bt_(context), kvm_(context) {}

BackendSwitcher::~BackendSwitcher() = default;

RunOutcome BackendSwitcher::run(double timeout_seconds) {
  using SteadyClock = std::chrono::steady_clock;
  const auto start = SteadyClock::now();
  bool on_kvm = policy_.start_on_kvm;
  double last_bt_slice = kMinKvmSlice;
  for (;;) {
    double remaining = 0;
    if (timeout_seconds > 0) {
      remaining = timeout_seconds - std::chrono::duration<double>(SteadyClock::now() - start).count();
      if (remaining <= 0) return {exit_status::kTimeout, fmt::format("timeout after {} s", timeout_seconds)};
    }
    RunOutcome outcome;
    if (on_kvm) {
      double slice = policy_.seconds > 0 ? policy_.seconds : std::max(last_bt_slice, kMinKvmSlice);
      outcome = kvm_.run(RunLimits{remaining, policy_.instructions, slice});
      ++kvm_slices_;
    } else {
      auto t0 = SteadyClock::now();
      // No timeout inside (bt86 would start a watchdog thread per slice):
      // the backstop slice length lets this loop see the timeout instead.
      outcome = bt_.run(RunLimits{0, policy_.instructions, policy_.seconds > 0 ? policy_.seconds : kMaxSlice});
      last_bt_slice = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    }
    if (outcome.exit_status == exit_status::kTimeout)
      return {exit_status::kTimeout, fmt::format("timeout after {} s", timeout_seconds)};
    if (outcome.exit_status != exit_status::kSliceEnded) return outcome;
    // KVM wrote guest memory directly (code, page tables): bt86's
    // translations and shadow mappings may be stale.
    if (on_kvm) bt_.forget_guest_memory();
    on_kvm = !on_kvm;
    ++switches_;
  }
}

Stats BackendSwitcher::stats() const {
  Stats s = bt_.stats();
  const Stats& k = kvm_.stats();
  for (const auto& [reason, count] : k.exits) s.exits["kvm_" + reason] += count;
  s.run_seconds += k.run_seconds;
  s.backend_switches = switches_;
  return s;
}

}  // namespace bt86
