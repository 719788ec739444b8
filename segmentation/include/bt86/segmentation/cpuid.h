// What CPUID tells the guest, on every backend: our own vendor and brand,
// an i686-class CPU (family 6) and only the features bt86 implements.
#pragma once
#include <cstdint>

#include "bt86/segmentation/cpu_state.h"

namespace bt86 {

struct CpuidLeaf {
  uint32_t eax, ebx, ecx, edx;
};

CpuidLeaf guest_cpuid(uint32_t leaf, uint32_t subleaf = 0);

// One CPUID feature flag: leaf (subleaf 0), register and bit.
struct CpuidFeature {
  enum Register : uint8_t { kEbx, kEcx, kEdx };
  uint32_t leaf;
  Register reg;
  uint8_t bit;
};

// The feature flags of instruction-set extensions (SDM vol. 2, CPUID), for
// the ones the guest is told about and the ones the translator must refuse.
namespace feature {
using R = CpuidFeature;
// CPUID.1:EDX
inline constexpr CpuidFeature kFpu{1, R::kEdx, 0}, kVme{1, R::kEdx, 1}, kPse{1, R::kEdx, 3}, kTsc{1, R::kEdx, 4}, kMsr{1, R::kEdx, 5},
    kPae{1, R::kEdx, 6}, kMce{1, R::kEdx, 7}, kCx8{1, R::kEdx, 8}, kApic{1, R::kEdx, 9}, kSep{1, R::kEdx, 11},
    kPge{1, R::kEdx, 13}, kMca{1, R::kEdx, 14}, kCmov{1, R::kEdx, 15}, kPat{1, R::kEdx, 16},
    kClflush{1, R::kEdx, 19}, kMmx{1, R::kEdx, 23}, kFxsr{1, R::kEdx, 24}, kSse{1, R::kEdx, 25},
    kSse2{1, R::kEdx, 26};
// CPUID.1:ECX
inline constexpr CpuidFeature kSse3{1, R::kEcx, 0}, kPclmulqdq{1, R::kEcx, 1}, kMonitor{1, R::kEcx, 3},
    kVmx{1, R::kEcx, 5}, kSmx{1, R::kEcx, 6}, kSsse3{1, R::kEcx, 9}, kFma{1, R::kEcx, 12}, kCx16{1, R::kEcx, 13},
    kSse41{1, R::kEcx, 19}, kSse42{1, R::kEcx, 20}, kX2apic{1, R::kEcx, 21}, kMovbe{1, R::kEcx, 22},
    kPopcnt{1, R::kEcx, 23}, kTscDeadline{1, R::kEcx, 24}, kAes{1, R::kEcx, 25}, kXsave{1, R::kEcx, 26}, kAvx{1, R::kEcx, 28}, kF16c{1, R::kEcx, 29},
    kRdrand{1, R::kEcx, 30};
// CPUID.7.0:EBX, ECX, EDX
inline constexpr CpuidFeature kBmi1{7, R::kEbx, 3}, kHle{7, R::kEbx, 4}, kAvx2{7, R::kEbx, 5},
    kBmi2{7, R::kEbx, 8}, kInvpcid{7, R::kEbx, 10}, kRtm{7, R::kEbx, 11}, kMpx{7, R::kEbx, 14},
    kRdseed{7, R::kEbx, 18}, kAdx{7, R::kEbx, 19}, kSmap{7, R::kEbx, 20}, kClflushopt{7, R::kEbx, 23},
    kClwb{7, R::kEbx, 24}, kSha{7, R::kEbx, 29}, kPku{7, R::kEcx, 3}, kWaitpkg{7, R::kEcx, 5},
    kCetSs{7, R::kEcx, 7}, kGfni{7, R::kEcx, 8}, kRdpid{7, R::kEcx, 22}, kCldemote{7, R::kEcx, 25},
    kMovdiri{7, R::kEcx, 27}, kMovdir64b{7, R::kEcx, 28}, kSerialize{7, R::kEdx, 14},
    kCetIbt{7, R::kEdx, 20}, kArchCapabilities{7, R::kEdx, 29};
// CPUID.80000001:ECX, EDX
inline constexpr CpuidFeature kSvm{0x80000001, R::kEcx, 2}, kLzcnt{0x80000001, R::kEcx, 5},
    kSse4a{0x80000001, R::kEcx, 6}, kPrefetchw{0x80000001, R::kEcx, 8}, kXop{0x80000001, R::kEcx, 11},
    kFma4{0x80000001, R::kEcx, 16}, kTbm{0x80000001, R::kEcx, 21}, kMonitorx{0x80000001, R::kEcx, 29},
    kSyscall{0x80000001, R::kEdx, 11}, kRdtscp{0x80000001, R::kEdx, 27}, k3dnow{0x80000001, R::kEdx, 31};
}  // namespace feature

// CPUID as the running CPU answers it: guest_cpuid, without the APIC flag
// while the local APIC is hardware-disabled (or absent), and capped at leaf 2
// while IA32_MISC_ENABLE's "limit CPUID maxval" is set (SDM vol. 4, 2.1).
CpuidLeaf current_cpuid(const CpuState& cpu, bool apic_enabled, uint32_t leaf, uint32_t subleaf);

// Whether guest_cpuid announces the feature.
bool guest_has(CpuidFeature f);

// IA32_ARCH_CAPABILITIES (MSR 0x10A), announced by CPUID.7:EDX[29].
// RDCL_NO always: guest user code runs in a shadow window where no
// supervisor page is ever mapped, so Meltdown-style reads of guest kernel
// memory cannot happen, and the guest need not isolate its page tables (PTI,
// which would switch CR3 twice per system call). The "not affected" bits of
// data-sampling flaws (MDS, TAA, MMIO stale data, GDS, RFDS) only where the
// host's kernel reports its CPU not affected: guest code runs on that CPU.
uint64_t guest_arch_capabilities();

}  // namespace bt86
