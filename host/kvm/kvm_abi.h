// The kernel's layouts for the KVM structures that end in a flexible
// array. Debian 12's <linux/kvm.h> declares those arrays with
// __DECLARE_FLEX_ARRAY, which in C++ puts an empty struct (one byte) before
// the array: sizeof grows, the ioctl numbers derived from it change
// (KVM_SET_CPUID2 becomes an unknown ioctl: EINVAL) and the array moves.
// So these are declared here with the C layout and their own numbers.
#pragma once
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cstdint>

namespace bt86::kvm_abi {

struct CpuidHeader {  // struct kvm_cpuid2; kvm_cpuid_entry2[nent] follow
  uint32_t nent, padding;
};
struct MsrsHeader {  // struct kvm_msrs; kvm_msr_entry[nmsrs] follow
  uint32_t nmsrs, pad;
};
struct Xsave {  // struct kvm_xsave without the KVM_CAP_XSAVE2 tail
  uint32_t region[1024];
};

constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, CpuidHeader);
constexpr unsigned long kGetMsrs = _IOWR(KVMIO, 0x88, MsrsHeader);
constexpr unsigned long kSetMsrs = _IOW(KVMIO, 0x89, MsrsHeader);
constexpr unsigned long kGetXsave = _IOR(KVMIO, 0xa4, Xsave);
constexpr unsigned long kSetXsave = _IOW(KVMIO, 0xa5, Xsave);

static_assert(sizeof(CpuidHeader) == 8 && sizeof(MsrsHeader) == 8 && sizeof(Xsave) == 4096);
static_assert(sizeof(kvm_cpuid_entry2) == 40 && sizeof(kvm_msr_entry) == 16);
static_assert(kSetCpuid2 == 0x4008AE90 && kSetMsrs == 0x4008AE89 && kGetXsave == 0x9000AEA4);

}  // namespace bt86::kvm_abi
