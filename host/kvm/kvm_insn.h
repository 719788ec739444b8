// Names the guest instruction at CS:EIP for error reports of the KVM
// backend (bytes, disassembly, address), reading it through KVM's own
// linear-to-physical translation so it works with paging on too.
#pragma once
#include <string>

#include "bt86/kvm/kvm_vm.h"
#include "bt86/segmentation/cpu_state.h"
#include "bt86/shadow/guest_ram.h"

namespace bt86 {

// "'daa' (27) at EIP=0x00101234"; `known_bytes` (from KVM's emulation
// failure report) wins over reading guest memory when not empty.
std::string describe_guest_instruction(const KvmVcpu& vcpu, const GuestRam& ram, const CpuState& cpu,
                                       const std::string& known_bytes = {});

}  // namespace bt86
