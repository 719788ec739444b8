// segmentation/cpuid.h: what the guest is told about the CPU it runs on.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "bt86/segmentation/cpuid.h"

namespace {
std::string host_verdict(const char* flaw) {
  std::ifstream in(std::string("/sys/devices/system/cpu/vulnerabilities/") + flaw);
  std::string line;
  std::getline(in, line);
  return line;
}
}  // namespace

TEST_CASE("cpuid: our vendor, family 6, and IA32_ARCH_CAPABILITIES announced", "[cpuid]") {
  bt86::CpuidLeaf l0 = bt86::guest_cpuid(0);
  CHECK(l0.eax == 7);
  CHECK(std::string(reinterpret_cast<const char*>(&l0.ebx), 4) == "bt86");
  CHECK((bt86::guest_cpuid(1).eax >> 8 & 0xF) == 6);
  CHECK((bt86::guest_cpuid(7).edx & (1u << 29)) != 0);
}

TEST_CASE("cpuid: ARCH_CAPABILITIES says RDCL_NO, and MDS_NO/TAA_NO only as the host does", "[cpuid]") {
  uint64_t caps = bt86::guest_arch_capabilities();
  CHECK((caps & 1) != 0);  // RDCL_NO: no supervisor page is mapped while guest user code runs
  INFO("host mds: '" << host_verdict("mds") << "', tsx_async_abort: '" << host_verdict("tsx_async_abort") << "'");
  CHECK(((caps >> 5) & 1) == (host_verdict("mds") == "Not affected"));
  CHECK(((caps >> 8) & 1) == (host_verdict("tsx_async_abort") == "Not affected"));
  CHECK(((caps >> 13) & 7) == (host_verdict("mmio_stale_data") == "Not affected" ? 7u : 0u));
}
