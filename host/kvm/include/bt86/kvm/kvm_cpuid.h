// The CPUID a KVM guest sees: exactly what the BT backend reports
// (bt86/segmentation/cpuid.h), so a guest cannot tell the backends apart.
#pragma once
#include <cstdint>
#include <vector>

#include "bt86/kvm/kvm_vm.h"
#include "bt86/segmentation/cpuid.h"

namespace bt86 {

struct NumberedCpuidLeaf {
  uint32_t leaf;
  CpuidLeaf regs;
};

// Leaves 0, 1, 0x80000000 and the brand string 0x80000002-4; leaf 1 EDX
// gets `extra_leaf1_edx` on top (the probes ask for paging features).
std::vector<NumberedCpuidLeaf> bt86_cpuid_leaves(uint32_t extra_leaf1_edx = 0);

// KVM_SET_CPUID2 with those leaves; call before the first to_kvm/KVM_RUN.
void set_guest_cpuid(const KvmVcpu& vcpu, uint32_t extra_leaf1_edx = 0);

}  // namespace bt86
