#include "bt86/segmentation/msrs.h"

#include "bt86/devices/local_apic.h"
#include "bt86/segmentation/cpuid.h"

namespace bt86 {

namespace {
using namespace msr;

// IA32_MCG_CAP: the bank count, and nothing else (no MCG_CTL, no extended
// or CMCI registers).
constexpr uint64_t kMcgCapValue = kMcBanks;
// MCG_STATUS: RIPV, EIPV, MCIP.
constexpr uint64_t kMcgStatusWritable = 0x7;
// MISC_ENABLE's writable bits: fast strings, automatic thermal control,
// enhanced SpeedStep, MONITOR FSM, limit CPUID maxval, xTPR disable, XD
// disable (what the msr test of kvm-unit-tests writes on every CPU it
// expects); bits 7, 11 and 12 are read-only, the rest reserved.
constexpr uint64_t kMiscEnableWritable = 1ull << 0 | 1ull << 3 | 1ull << 16 | 1ull << 18 | 1ull << 22 |
                                         1ull << 23 | 1ull << 34;
constexpr uint64_t kMiscEnableReadOnly = 1ull << 7 | 1ull << 11 | 1ull << 12;

bool mca(uint32_t index) { return index >= kMc0Ctl && index < kMc0Ctl + 4 * kMcBanks && guest_has(feature::kMca); }
uint64_t& bank_register(CpuState& cpu, uint32_t index) {
  return cpu.mc_bank[(index - kMc0Ctl) / 4][(index - kMc0Ctl) % 4];
}

// Each PAT entry is a memory type: UC, WC, WT, WP, WB or UC- (0, 1, 4-7).
bool valid_pat(uint64_t v) {
  for (unsigned i = 0; i < 8; ++i) {
    uint64_t type = v >> (8 * i) & 0xFF;
    if (type > 7 || type == 2 || type == 3) return false;
  }
  return true;
}

constexpr uint64_t kCounterMask = (1ull << 48) - 1;
bool perf_select(uint32_t index) { return index >= kPerfEvtSel0 && index < kPerfEvtSel0 + 4; }
bool perf_counter(uint32_t index) { return index >= kPerfCtr0 && index < kPerfCtr0 + 4; }

bool has_apic(const MsrContext& c) { return c.apic && guest_has(feature::kApic); }
bool has_efer() { return guest_has(feature::kSyscall); }
}  // namespace

void power_on_msrs(CpuState& cpu) {
  cpu.msr_pat = kPatPowerOn;
  cpu.msr_misc_enable = kMiscEnablePowerOn;
}

std::optional<uint64_t> read_msr(const MsrContext& c, uint32_t index) {
  CpuState& cpu = c.cpu;
  switch (index) {
    case kTsc: return c.host_tsc + cpu.tsc_offset;
    case kSysenterCs: case kSysenterEsp: case kSysenterEip:
      if (!guest_has(feature::kSep)) break;
      return cpu.msr_sysenter[index - kSysenterCs];
    case kApicBase:
      if (!has_apic(c)) break;
      return c.apic->base_msr();
    case kTscDeadline:
      if (!has_apic(c) || !guest_has(feature::kTscDeadline)) break;
      return c.apic->tsc_deadline();
    case kArchCapabilities:
      if (!guest_has(feature::kArchCapabilities)) break;
      return guest_arch_capabilities();
    case kMiscEnable: return cpu.msr_misc_enable;
    case kPat:
      if (!guest_has(feature::kPat)) break;
      return cpu.msr_pat;
    case kMcgCap:
      if (!guest_has(feature::kMca)) break;
      return kMcgCapValue;
    case kMcgStatus:
      if (!guest_has(feature::kMca)) break;
      return cpu.mcg_status;
    // The Pentium's machine-check registers read bank 0's address and
    // status on P6-family CPUs.
    case kP5McAddr:
      if (!guest_has(feature::kMce)) break;
      return guest_has(feature::kMca) ? cpu.mc_bank[0][2] : 0;
    case kP5McType:
      if (!guest_has(feature::kMce)) break;
      return guest_has(feature::kMca) ? cpu.mc_bank[0][1] : 0;
    case kEfer:
      if (!has_efer()) break;
      return cpu.efer;
    case kStar:
      if (!has_efer()) break;
      return cpu.msr_star;
    default:
      if (mca(index)) return bank_register(cpu, index);
      if (perf_select(index)) return cpu.perf_evtsel[index - kPerfEvtSel0];
      if (perf_counter(index)) return cpu.perf_ctr[index - kPerfCtr0];
      break;
  }
  return std::nullopt;
}

std::optional<uint64_t> read_pmc(const CpuState& cpu, uint32_t index) {
  if (index >= 4) return std::nullopt;
  return cpu.perf_ctr[index];
}

bool write_msr(const MsrContext& c, uint32_t index, uint64_t v) {
  CpuState& cpu = c.cpu;
  switch (index) {
    case kTsc: cpu.tsc_offset = v - c.host_tsc; return true;
    case kSysenterCs: case kSysenterEsp: case kSysenterEip:
      if (!guest_has(feature::kSep)) return false;
      cpu.msr_sysenter[index - kSysenterCs] = v;
      return true;
    case kApicBase: return has_apic(c) && c.apic->write_base_msr(v);
    case kTscDeadline:
      if (!has_apic(c) || !guest_has(feature::kTscDeadline)) return false;
      c.apic->write_tsc_deadline(v);
      return true;
    case kMiscEnable:
      if ((v & ~(kMiscEnableWritable | kMiscEnableReadOnly)) ||
          (v & kMiscEnableReadOnly) != (cpu.msr_misc_enable & kMiscEnableReadOnly))
        return false;
      cpu.msr_misc_enable = v;
      return true;
    case kPat:
      if (!guest_has(feature::kPat) || !valid_pat(v)) return false;
      cpu.msr_pat = v;
      return true;
    case kMcgStatus:
      if (!guest_has(feature::kMca) || (v & ~kMcgStatusWritable)) return false;
      cpu.mcg_status = v;
      return true;
    case kEfer:
      if (!has_efer() || (v & ~kEferSce)) return false;
      cpu.efer = v;
      return true;
    case kStar:
      if (!has_efer()) return false;
      cpu.msr_star = v;
      return true;
    default: break;
  }
  if (perf_select(index)) {
    if (v >> 32) return false;  // reserved
    cpu.perf_evtsel[index - kPerfEvtSel0] = v;
    return true;
  }
  if (perf_counter(index)) {
    cpu.perf_ctr[index - kPerfCtr0] = v & kCounterMask;
    return true;
  }
  if (!mca(index)) return false;  // also MCG_CAP and ARCH_CAPABILITIES: read-only
  switch ((index - kMc0Ctl) % 4) {
    case 0:  // MCi_CTL: all or nothing on P6-family CPUs
      if (v != 0 && v != ~uint64_t{0}) return false;
      break;
    case 1:  // MCi_STATUS: software may only clear it
      if (v != 0) return false;
      break;
    default: break;  // MCi_ADDR, MCi_MISC
  }
  bank_register(cpu, index) = v;
  return true;
}

}  // namespace bt86
