// Live switching: one running guest moves between two backends (bt86 and
// KVM) again and again. Both run the same Machine (RAM, devices, PIC), so
// only the CPU moves: CpuState (registers, descriptor caches, control and
// table registers, MSRs, x87/SSE, the halted flag). A backend hands over
// only at an instruction boundary where it holds nothing of its own (a
// slice end, exit_status::kSliceEnded); interrupts still pending stay in
// the shared PIC and the next backend delivers them. The switcher is a
// Vcpu itself, and sees its two backends only as Vcpus.
#pragma once
#include <cstdint>
#include <memory>

#include "bt86/vcpu/vcpu.h"

namespace bt86 {

struct SwitchPolicy {
  // A slice of a backend that counts instructions: about this many guest
  // instructions (see RunLimits). One that cannot count them ends its slice
  // at the guest's next exit to it (a device access, hlt) or when it has
  // run as long in host time as the counted slice before it, whichever
  // comes first.
  uint64_t instructions = 0;
  // Or each slice on either backend lasts this much host time.
  double seconds = 0;
  bool start_on_second = false;
};

class BackendSwitcher final : public Vcpu {
public:
  // `first` gives the statistics their base (bt86's counters); the other's
  // exits are added under "<its name>_<reason>".
  BackendSwitcher(std::unique_ptr<Vcpu> first, std::unique_ptr<Vcpu> second, SwitchPolicy policy);

  using Vcpu::run;
  // Runs until the guest's run ends (same outcomes as either backend);
  // only the timeout of the limits applies.
  RunOutcome run(const RunLimits& limits) override;
  std::string name() const override { return backends_[0]->name() + "+" + backends_[1]->name(); }
  // The first backend's counters, the second's exits, both run times, and
  // backend_switches.
  Stats stats() const override;
  bool counts_instructions() const override { return false; }
  std::string summary() const override;
  uint64_t switches() const { return switches_; }

private:
  std::unique_ptr<Vcpu> backends_[2];
  SwitchPolicy policy_;
  uint64_t switches_ = 0, slices_[2] = {0, 0};
};

}  // namespace bt86
