// What CPUID tells the guest, on every backend: our own vendor and brand,
// an i686-class CPU (family 6) and only the features bt86 implements.
#pragma once
#include <cstdint>

namespace bt86 {

struct CpuidLeaf {
  uint32_t eax, ebx, ecx, edx;
};

CpuidLeaf guest_cpuid(uint32_t leaf, uint32_t subleaf = 0);

// IA32_ARCH_CAPABILITIES (MSR 0x10A), announced by CPUID.7:EDX[29].
// RDCL_NO always: guest user code runs in a shadow window where no
// supervisor page is ever mapped, so Meltdown-style reads of guest kernel
// memory cannot happen, and the guest need not isolate its page tables (PTI,
// which would switch CR3 twice per system call). The "not affected" bits of
// data-sampling flaws (MDS, TAA, MMIO stale data, GDS, RFDS) only where the
// host's kernel reports its CPU not affected: guest code runs on that CPU.
inline constexpr uint32_t kMsrArchCapabilities = 0x10A;
uint64_t guest_arch_capabilities();

}  // namespace bt86
