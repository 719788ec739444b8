#include "bt86/segmentation/cpuid.h"

#include "bt86/segmentation/msrs.h"

#include <cpuid.h>

#include <array>
#include <cstring>
#include <fstream>
#include <string>

namespace bt86 {

namespace {
CpuidLeaf host_cpuid(uint32_t leaf) {
  CpuidLeaf r{};
  __cpuid(leaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}
constexpr char kVendor[13] = "bt86 virtCPU";
constexpr char kBrand[49] = "bt86 binary-translated i686 CPU";

// What the guest is told, and so what the translator runs (every other
// instruction-set extension raises #UD): only what this engine implements.
// SSE3 only where the host has it, since guest SSE3 code runs natively.
using namespace feature;
constexpr CpuidFeature kAnnounced[] = {kFpu, kVme, kPse,  kTsc, kMsr,  kPae, kMce, kCx8,  kApic, kSep,
                                       kPge, kMca,  kCmov, kPat, kMmx, kFxsr, kSse, kSse2, kTscDeadline,
                                       kArchCapabilities, kSyscall};
constexpr CpuidFeature kAnnouncedIfHost[] = {kSse3};

uint32_t& reg_of(CpuidLeaf& l, CpuidFeature::Register r) {
  return r == CpuidFeature::kEbx ? l.ebx : r == CpuidFeature::kEcx ? l.ecx : l.edx;
}

// Sets the announced flags of `leaf` in r.
void announce(uint32_t leaf, CpuidLeaf& r) {
  for (const CpuidFeature& f : kAnnounced)
    if (f.leaf == leaf) reg_of(r, f.reg) |= 1u << f.bit;
  // The host is asked once per feature: CPUID traps to the hypervisor on a
  // virtual host (microseconds each), and guests ask on every exec.
  static const auto host_has = [] {
    std::array<bool, std::size(kAnnouncedIfHost)> has{};
    for (size_t i = 0; i < has.size(); ++i) {
      const CpuidFeature& f = kAnnouncedIfHost[i];
      CpuidLeaf host = host_cpuid(f.leaf);
      has[i] = reg_of(host, f.reg) >> f.bit & 1;
    }
    return has;
  }();
  for (size_t i = 0; i < std::size(kAnnouncedIfHost); ++i) {
    const CpuidFeature& f = kAnnouncedIfHost[i];
    if (f.leaf == leaf && host_has[i]) reg_of(r, f.reg) |= 1u << f.bit;
  }
}
}  // namespace

CpuidLeaf guest_cpuid(uint32_t leaf, uint32_t subleaf) {
  // Beyond the highest basic or extended leaf: the highest basic leaf's
  // data, as Intel CPUs answer (and KVM does for our vendor).
  if ((leaf > 7 && leaf < 0x80000000) || leaf > 0x80000004) leaf = 7;
  CpuidLeaf r{};
  switch (leaf) {
    case 0:
      r.eax = 7;
      std::memcpy(&r.ebx, kVendor, 4);
      std::memcpy(&r.edx, kVendor + 4, 4);
      std::memcpy(&r.ecx, kVendor + 8, 4);
      break;
    case 1:
      r.eax = 0x06 << 8 | 0x0F << 4 | 1;  // family 6, model 15, stepping 1
      announce(1, r);
      break;
    case 7:
      // Structured features: none but IA32_ARCH_CAPABILITIES (which says
      // see guest_arch_capabilities). Leaves 2-6 are all zero.
      if (subleaf == 0) announce(7, r);
      break;
    case 0x80000000: r.eax = 0x80000004; break;
    case 0x80000001: announce(0x80000001, r); break;
    case 0x80000002: case 0x80000003: case 0x80000004:
      std::memcpy(&r, kBrand + 16 * (leaf - 0x80000002), 16);
      break;
    default: break;
  }
  return r;
}

CpuidLeaf current_cpuid(const CpuState& cpu, bool apic_enabled, uint32_t leaf, uint32_t subleaf) {
  constexpr uint32_t kLimitedMaxLeaf = 2;
  const bool limited = cpu.msr_misc_enable & msr::kMiscEnableLimitCpuid;
  if (limited && leaf > kLimitedMaxLeaf && leaf < 0x80000000) leaf = kLimitedMaxLeaf;  // the highest basic leaf's data
  CpuidLeaf r = guest_cpuid(leaf, subleaf);
  if (leaf == 0 && limited) r.eax = kLimitedMaxLeaf;
  if (leaf == 1 && !apic_enabled) reg_of(r, kApic.reg) &= ~(1u << kApic.bit);
  return r;
}

bool guest_has(CpuidFeature f) {
  CpuidLeaf l = guest_cpuid(f.leaf);
  return reg_of(l, f.reg) >> f.bit & 1;
}

namespace {
// The host kernel's verdict on one flaw (/sys/devices/system/cpu/vulnerabilities).
bool host_not_affected(const char* flaw) {
  std::ifstream in(std::string("/sys/devices/system/cpu/vulnerabilities/") + flaw);
  std::string verdict;
  return std::getline(in, verdict) && verdict == "Not affected";
}
}  // namespace

uint64_t guest_arch_capabilities() {
  static const uint64_t caps = [] {
    constexpr uint64_t kRdclNo = 1ull << 0, kMdsNo = 1ull << 5, kTaaNo = 1ull << 8, kSbdrSsdpNo = 1ull << 13,
                       kFbsdpNo = 1ull << 14, kPsdpNo = 1ull << 15, kGdsNo = 1ull << 26, kRfdsNo = 1ull << 27;
    uint64_t v = kRdclNo;
    if (host_not_affected("mds")) v |= kMdsNo;
    if (host_not_affected("tsx_async_abort")) v |= kTaaNo;
    if (host_not_affected("mmio_stale_data")) v |= kSbdrSsdpNo | kFbsdpNo | kPsdpNo;
    if (host_not_affected("gather_data_sampling")) v |= kGdsNo;
    if (host_not_affected("reg_file_data_sampling")) v |= kRfdsNo;
    return v;
  }();
  return caps;
}

}  // namespace bt86
