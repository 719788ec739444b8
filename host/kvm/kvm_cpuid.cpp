#include "bt86/kvm/kvm_cpuid.h"

#include "kvm_abi.h"

#include <cstddef>
#include <cstring>
#include <iterator>

namespace bt86 {

std::vector<NumberedCpuidLeaf> bt86_cpuid_leaves(uint32_t extra_leaf1_edx) {
  std::vector<NumberedCpuidLeaf> leaves;
  for (uint32_t leaf : {0u, 1u, 7u, 0x80000000u, 0x80000002u, 0x80000003u, 0x80000004u})
    leaves.push_back({leaf, guest_cpuid(leaf)});
  leaves[1].regs.edx |= extra_leaf1_edx;
  return leaves;
}

void set_guest_cpuid(const KvmVcpu& vcpu, uint32_t extra_leaf1_edx) {
  std::vector<NumberedCpuidLeaf> leaves = bt86_cpuid_leaves(extra_leaf1_edx);
  // The header, then the entries (see kvm_abi.h for why not kvm_cpuid2).
  struct Request {
    kvm_abi::CpuidHeader header;
    kvm_cpuid_entry2 entries[8];
  } request{};
  static_assert(offsetof(Request, entries) == sizeof(kvm_abi::CpuidHeader));
  if (leaves.size() > std::size(request.entries)) throw KvmError("internal error: too many CPUID leaves");
  request.header.nent = static_cast<uint32_t>(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    kvm_cpuid_entry2& e = request.entries[i];
    e.function = leaves[i].leaf;
    if (e.function == 7) e.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;  // subleaf 0 only
    e.eax = leaves[i].regs.eax;
    e.ebx = leaves[i].regs.ebx;
    e.ecx = leaves[i].regs.ecx;
    e.edx = leaves[i].regs.edx;
  }
  vcpu.ioctl_or_throw(kvm_abi::kSetCpuid2, &request, "KVM_SET_CPUID2");
}

}  // namespace bt86
