// Live switching: one running guest moves between the BT backend and KVM
// again and again. Both run the same Machine (RAM, devices, PIC), so only
// the CPU moves: CpuState (registers, descriptor caches, control and table
// registers, MSRs, x87/SSE, the halted flag) through to_kvm/from_kvm. A
// backend hands over only at an instruction boundary where it holds
// nothing of its own (a slice end, exit_status::kSliceEnded); interrupts
// still pending stay in the shared PIC and the next backend delivers them.
#pragma once
#include <cstdint>
#include <memory>

#include "bt86/kvm/kvm_cpu.h"
#include "bt86/translator/bt_cpu.h"

namespace bt86 {

struct SwitchPolicy {
  // A bt86 slice: about this many guest instructions (see RunLimits). KVM
  // cannot count them: its slice ends at the guest's next exit to us (a
  // device access, hlt) or when it has run as long in host time as the
  // bt86 slice before it, whichever comes first.
  uint64_t instructions = 0;
  // Or each slice on either backend lasts this much host time.
  double seconds = 0;
  bool start_on_kvm = false;
};

class BackendSwitcher {
public:
  // Creates both backends; throws KvmError where KVM cannot run.
  BackendSwitcher(GuestContext context, SwitchPolicy policy);
  ~BackendSwitcher();

  // Runs until the guest's run ends (same outcomes as either backend).
  RunOutcome run(double timeout_seconds);
  // bt86's counters, KVM's exits under "kvm_<reason>", both run times, and
  // backend_switches.
  Stats stats() const;
  uint64_t switches() const { return switches_; }
  uint64_t slices_on_kvm() const { return kvm_slices_; }

private:
  SwitchPolicy policy_;
  BtCpu bt_;
  KvmCpu kvm_;
  uint64_t switches_ = 0, kvm_slices_ = 0;
};

}  // namespace bt86
