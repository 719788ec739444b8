#include "bt86/segmentation/cpuid.h"

#include <cpuid.h>

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
      // FPU PSE TSC MSR PAE CX8 SEP PGE CMOV MMX FXSR SSE SSE2
      r.edx = 1u << 0 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 8 | 1u << 11 | 1u << 13 | 1u << 15 |
              1u << 23 | 1u << 24 | 1u << 25 | 1u << 26;
      r.ecx = host_cpuid(1).ecx & 1u;  // SSE3: guest code runs natively, so only if the host has it
      break;
    case 7:
      // Structured features: none but IA32_ARCH_CAPABILITIES (which says
      // see guest_arch_capabilities). Leaves 2-6 are all zero.
      if (subleaf == 0) r.edx = 1u << 29;
      break;
    case 0x80000000: r.eax = 0x80000004; break;
    case 0x80000002: case 0x80000003: case 0x80000004:
      std::memcpy(&r, kBrand + 16 * (leaf - 0x80000002), 16);
      break;
    default: break;
  }
  return r;
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
