// bt86's own work that a PC never does (translating guest code, and the exit
// and run-loop detour around it) runs with the guest stopped, and is hidden
// from the guest's clocks as if it had not happened: the device clock stands
// still (HostClock::stand_still) and the guest's TSC, the host's plus
// CpuState::tsc_offset, moves back by as many cycles. The guest gets that
// time back while it halts, where it cannot tell a longer halt from a shorter
// one, and a busy guest gets part of it back whenever a device interrupts it
// (a quarter of the time since the last such gift): its clocks then converge
// on the host's within a few seconds of a burst of translation. Guest clocks
// stay consistent with each other throughout; only against the host's do they
// lag, and never lead.
//
// Measured reason: a cold calibration loop pays for translating its own
// exit, ~50,000 cycles here, inside the interval it measures; Linux's fast
// TSC calibration against the PIT then fails in every boot (see
// docs/ARCHITECTURE.md, "Time the guest does not see").
#pragma once
#include <cstdint>

#include "bt86/devices/clock.h"
#include "bt86/segmentation/cpu_state.h"

namespace bt86 {

class HiddenTime {
public:
  explicit HiddenTime(HostClock* clock);

  struct Mark {
    uint64_t ns, tsc;
  };
  // Where an interval of bt86's own work starts.
  Mark mark() const;
  // Hides the interval since `start` from the guest's clocks.
  void hide_since(const Mark& start, CpuState& cpu);
  // Gives the guest back up to `ns` of the hidden time; returns how much.
  uint64_t catch_up(uint64_t ns, CpuState& cpu);
  // At a device interrupt: gives back a share of the time since the last one.
  void catch_up_at_interrupt(CpuState& cpu);
  uint64_t behind_ns() const { return clock_ ? clock_->behind_ns() : 0; }
  uint64_t hidden_ns() const { return hidden_ns_; }  // in all

private:
  // TSC cycles per host ns, from the longest baseline there is: since
  // construction.
  double tsc_per_ns() const;

  HostClock* clock_;     // null under a virtual clock: nothing to hide
  Mark origin_{};
  uint64_t behind_tsc_ = 0;
  uint64_t hidden_ns_ = 0;
  uint64_t last_interrupt_ns_ = 0;  // guest time of the last catch_up_at_interrupt
  static constexpr uint64_t kShareAtInterrupt = 4;  // 1/4: a 25 % faster guest clock at most
};

}  // namespace bt86
