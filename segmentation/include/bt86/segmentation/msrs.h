// The guest CPU's model-specific registers, the same on every backend.
// Exactly the MSRs that what CPUID announces implies exist (SDM vol. 4,
// table 2-2): TSC, SYSENTER (SEP), IA32_APIC_BASE (APIC), the machine-check
// registers (MCE, MCA), IA32_PAT (PAT), IA32_TSC_DEADLINE (TSC-deadline),
// IA32_ARCH_CAPABILITIES, EFER and STAR (SYSCALL), plus the two kinds that
// a family-6 CPU has without a CPUID flag: IA32_MISC_ENABLE, and
// performance counters, here the four of AMD's family-6 CPUs (K7: event
// selects C001_0000h-C001_0003h, 48-bit counters C001_0004h-C001_0007h,
// rdpmc 0-3), which is what software expects of a CPU that is not Intel's.
// bt86 counts no hardware events: the registers hold what software writes,
// as for an event the CPU does not have. Any other index, a write of a
// read-only register and a value with reserved bits set raise #GP.
#pragma once
#include <cstdint>
#include <optional>

#include "bt86/segmentation/cpu_state.h"

namespace bt86 {

class LocalApic;  // bt86/devices/local_apic.h

namespace msr {
constexpr uint32_t kP5McAddr = 0x0, kP5McType = 0x1, kTsc = 0x10, kApicBase = 0x1B, kArchCapabilities = 0x10A,
                   kSysenterCs = 0x174, kSysenterEsp = 0x175, kSysenterEip = 0x176, kMcgCap = 0x179,
                   kMcgStatus = 0x17A, kMiscEnable = 0x1A0, kPat = 0x277, kMc0Ctl = 0x400, kTscDeadline = 0x6E0,
                   kEfer = 0xC0000080, kStar = 0xC0000081, kPerfEvtSel0 = 0xC0010000, kPerfCtr0 = 0xC0010004;
// IA32_MISC_ENABLE: fast strings on; no BTS, no PEBS (read-only "unavailable" bits).
constexpr uint64_t kMiscEnablePowerOn = 1u << 0 | 1u << 11 | 1u << 12;
constexpr uint64_t kMiscEnableLimitCpuid = 1u << 22;  // CPUID leaf 0 reports at most leaf 2
constexpr uint64_t kPatPowerOn = 0x0007040600070406ull;
constexpr uint64_t kEferSce = 1;
}  // namespace msr

// What an MSR access may reach beyond the CPU state: the local APIC (null
// on a machine without one) and the host TSC the guest's is offset from.
struct MsrContext {
  CpuState& cpu;
  LocalApic* apic;
  uint64_t host_tsc;
};

// The value of MSR index, or nothing (#GP).
std::optional<uint64_t> read_msr(const MsrContext& c, uint32_t index);
// False: #GP, and nothing changed.
bool write_msr(const MsrContext& c, uint32_t index, uint64_t value);

// rdpmc's counter `index`, or nothing (#GP).
std::optional<uint64_t> read_pmc(const CpuState& cpu, uint32_t index);

// The MSRs' power-on values in a fresh CpuState.
void power_on_msrs(CpuState& cpu);

}  // namespace bt86
