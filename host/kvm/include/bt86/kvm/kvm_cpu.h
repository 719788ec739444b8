// The KVM backend's vCPU: runs the guest described by a GuestContext (the
// same Machine RAM, device buses and RunControl as the BT backend) on
// /dev/kvm, behind the Vcpu interface, so the CLI and tests can run the
// same guest on either and compare.
#pragma once
#include <memory>

#include "bt86/vcpu/guest_context.h"
#include "bt86/vcpu/run.h"
#include "bt86/vcpu/stats.h"
#include "bt86/vcpu/vcpu.h"

namespace bt86 {

struct KvmOptions {
  // Added to CPUID leaf 1 EDX: lets the probes use paging features the
  // guest-visible CPUID may not (yet) report.
  uint32_t extra_cpuid_leaf1_edx = 0;
};

class KvmCpu final : public Vcpu {
public:
  // Opens /dev/kvm, creates the VM with the context's RAM mapped and the
  // vCPU with bt86's CPUID. Throws KvmError (with a message for the user)
  // where /dev/kvm is missing or refuses.
  explicit KvmCpu(GuestContext context, KvmOptions options = {});
  ~KvmCpu();

  // Loads context.cpu into the vCPU, runs until something ends the run or a
  // limit is reached, and stores the vCPU's state back into context.cpu.
  // KVM counts no guest instructions: with
  // slice_instructions set, a slice ends at the guest's first exit to us
  // (port I/O, MMIO, hlt) or after slice_seconds, whichever comes first.
  // (Single-stepping to count them, KVM_SET_GUEST_DEBUG, was tried and
  // rejected: the TF that KVM sets leaks into interrupt frames and pushf,
  // and the guest later takes a #DB of its own.)
  // A slice ends only when the vCPU holds no event CpuState cannot carry
  // (an injected interrupt not yet taken, an interrupt shadow): it may run
  // a little longer than asked.
  using Vcpu::run;
  RunOutcome run(const RunLimits& limits) override;
  std::string name() const override { return "kvm"; }
  // Exits by reason ("io", "mmio", "hlt", ...); translation counters stay 0.
  Stats stats() const override;
  bool counts_instructions() const override { return false; }
  // A debugger can stop it (Ctrl-C) and read and write its state and
  // memory between runs; breakpoints, watchpoints and steps are the BT
  // backend's (KVM's would take the guest's debug registers).
  void interrupt() override;

  class Impl;

private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bt86
