// What CPUID tells the guest, on every backend: our own vendor and brand,
// an i686-class CPU (family 6) and only the features bt86 implements.
#pragma once
#include <cstdint>

namespace bt86 {

struct CpuidLeaf {
  uint32_t eax, ebx, ecx, edx;
};

CpuidLeaf guest_cpuid(uint32_t leaf, uint32_t subleaf = 0);

}  // namespace bt86
