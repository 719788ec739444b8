// A debugger's stops in the BT backend (bt86/vcpu/debug.h). Breakpoints are
// checks that block formation puts before the instructions at their
// addresses (a helper that ends the run there), so translations made before
// the set changed are dropped where they cover a changed address; guest
// memory is never written. Watchpoints are page protection: a watched
// linear page is never mapped in the shadow windows, every access to it
// runs as a bounce block (dispatch/bounce.h) whose accesses go through the
// helpers' context one by one, and those are checked here. A step runs one
// instruction alone, as EFLAGS.TF does, without the guest seeing TF.
#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "bt86/vcpu/debug.h"
#include "cache/block.h"

namespace bt86 {

class DebugStops {
public:
  // The request of a new run (null: none). Returns the breakpoint addresses
  // that were added or removed: the translations covering them are stale.
  std::vector<uint32_t> begin_run(const DebugRequest* request);
  // The linear pages of the watchpoints, sorted, without duplicates.
  std::vector<uint32_t> watched_pages() const;

  bool breakpoint_at(uint32_t linear) const;
  bool stepping() const { return step_; }
  // A stop is waiting for the run loop (a hit, a finished step, an interrupt).
  bool stop_due() const { return stop_ || interrupt_requested_; }
  bool watching() const { return !watchpoints_.empty(); }

  // A guest access (after it was allowed): a watchpoint it touches stops the run.
  void access(uint32_t linear, unsigned size, bool write);
  void hit_breakpoint(uint32_t linear) { stop({DebugStop::Reason::kBreakpoint, linear}); }
  void step_done() { stop({DebugStop::Reason::kStep}); }
  // From any thread (Vcpu::interrupt).
  void interrupt() { interrupt_requested_ = true; }

  // The stop the run ends with, if any (an interrupt request counts).
  std::optional<DebugStop> take_stop();

private:
  void stop(const DebugStop& s) {
    if (!stop_) stop_ = s;
  }

  std::vector<uint32_t> breakpoints_;  // sorted
  std::vector<Watchpoint> watchpoints_;
  bool step_ = false;
  std::optional<DebugStop> stop_;
  std::atomic<bool> interrupt_requested_{false};
};

// The check block formation puts before an instruction with a breakpoint.
HelperResult helper_debugger_breakpoint(HelperContext& e, const HelperSite& s);

}  // namespace bt86
