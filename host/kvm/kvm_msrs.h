// MSRs on the KVM backend. bt86's MSR model (segmentation/msrs.h) is the
// one both backends give the guest; KVM keeps those it must own to run the
// guest natively (TSC, SYSENTER, EFER, STAR, PAT: transferred with the CPU
// state), and with KVM_CAP_X86_USER_SPACE_MSR and an MSR filter every other
// one the model defines (IA32_APIC_BASE and TSC_DEADLINE, which reach the
// userspace local APIC, MISC_ENABLE, the machine-check banks, the K7
// counters, ARCH_CAPABILITIES) and every MSR KVM does not know exits to
// bt86, which answers from the model (#GP where it has none).
#pragma once
#include "bt86/kvm/kvm_vm.h"
#include "bt86/segmentation/msrs.h"

namespace bt86 {

// Turns the routing on; false where this host's KVM cannot (KVM then
// answers those MSRs itself, as it sees fit).
bool route_msrs_to_userspace(const KvmVm& vm);

// A KVM_EXIT_X86_RDMSR or _WRMSR: answers it (error set: #GP).
void handle_msr_exit(kvm_run& run, CpuState& cpu, LocalApic* apic);

}  // namespace bt86
