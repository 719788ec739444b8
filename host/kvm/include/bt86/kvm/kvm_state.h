// CPU state transfer between bt86's CpuState and a KVM vCPU, both ways:
// general registers, EFLAGS, descriptor caches, GDTR/IDTR/LDTR/TR, control
// and debug registers, the x87/SSE image, the TSC (as an offset from the
// host's) and the SYSENTER MSRs. The same state can thus move between the
// BT and KVM backends.
#pragma once
#include "bt86/kvm/kvm_vm.h"
#include "bt86/segmentation/cpu_state.h"

namespace bt86 {

// Throws KvmError when KVM rejects the state (e.g. a CR4 bit the guest's
// CPUID does not allow: set the CPUID first).
void to_kvm(const CpuState& cpu, const KvmVcpu& vcpu);
// Fills every field to_kvm transfers; leaves `halted` and the segment
// checks precomputed from the descriptor caches (segment_check.h, refreshed
// by the BT backend when it runs the state) alone.
void from_kvm(const KvmVcpu& vcpu, CpuState& cpu);

// The descriptor-cache conversions, exposed for tests.
kvm_segment to_kvm_segment(const SegmentCache& s);
SegmentCache from_kvm_segment(const kvm_segment& k);

}  // namespace bt86
