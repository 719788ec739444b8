// The guest's TSC as the machine's devices see it (the local APIC's
// TSC-deadline timer): the host's TSC plus CpuState::tsc_offset, which is
// what rdtsc gives the guest on both backends, read from the CPU state
// that is running (the BT engine runs a copy of the machine's: see
// Platform::cpu_state_moved). Its rate against the device
// clock is the host TSC's against CLOCK_MONOTONIC, measured from the
// machine's start (the time bt86 hides from the guest moves the TSC and the
// device clock back alike, so it does not change the rate).
#pragma once
#include <cstdint>

#include "bt86/devices/guest_tsc.h"
#include "bt86/segmentation/cpu_state.h"

namespace bt86 {

class MachineTsc final : public GuestTsc {
public:
  explicit MachineTsc(const CpuState& cpu);
  // The running CPU state is `live` from now on, or the machine's own again (null).
  void follow(const CpuState* live) { cpu_ = live ? live : &own_; }
  uint64_t now() const override;
  // Over the time since the machine started, at least 1 ms (the first
  // call waits for it).
  double ns_per_cycle() const override;

private:
  const CpuState& own_;
  const CpuState* cpu_;
  uint64_t origin_ns_, origin_tsc_;
};

}  // namespace bt86
