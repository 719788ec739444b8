// host/kvm/kvm_gate: every kind of KVM a host can have decides which KVM
// tests run, which are skipped (and why), and whether KVM's disagreements
// count. Fed the probe outcomes of each kind, so that a new kind of host
// cannot turn the suite red: no /dev/kvm, a KVM that cannot page, one that
// emulates every instruction (kvm_pvm on some machines), one that ignores
// the CPUID it is given, and bare-metal VT-x.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "bt86/kvm/kvm_gate.h"

using namespace bt86;

namespace {

const char* const kProbes[] = {"real-mode", "protected-32", "paging-32", "paging-pae", "cpuid",
                               "tsc-offset", "daa", "ldmxcsr", "iretd", "native-speed"};

// A KVM on which every probe works except those in `failing`.
KvmCapabilities kvm_where_fails(std::vector<std::string_view> failing) {
  KvmCapabilities caps;
  caps.usable = true;
  for (const char* name : kProbes) {
    bool fails = false;
    for (std::string_view f : failing) fails |= f == name;
    caps.modes.push_back({name, std::string("probe ") + name, !fails, fails ? "it failed" : ""});
  }
  return caps;
}

KvmCapabilities absent() {
  KvmCapabilities caps;
  caps.usable = false;
  caps.unusable_reason = "cannot open /dev/kvm: No such file or directory";
  return caps;
}
KvmCapabilities no_paging() { return kvm_where_fails({"paging-32", "paging-pae"}); }
// As on these machines: unpaged modes run, but in KVM's instruction emulator.
KvmCapabilities emulating() {
  return kvm_where_fails({"paging-32", "paging-pae", "cpuid", "tsc-offset", "daa", "ldmxcsr", "iretd",
                          "native-speed"});
}
KvmCapabilities partial_cpuid() { return kvm_where_fails({"cpuid"}); }
KvmCapabilities full() { return kvm_where_fails({}); }

// The needs of the test groups in tests/kvm_tests.cmake.
const std::vector<std::string_view> kPlumbing = {"protected-32"};
const std::vector<std::string_view> kPagingKernel = {"protected-32", "paging-32", "iretd", "cpuid"};
const std::vector<std::string_view> kFpuKernel = {"protected-32", "ldmxcsr", "cpuid"};
const std::vector<std::string_view> kIntegerKernel = {"protected-32", "daa"};

bool runs(const KvmCapabilities& caps, const std::vector<std::string_view>& needs) {
  return kvm_skip_reason(caps, needs).empty();
}

}  // namespace

TEST_CASE("kvm_gate: without /dev/kvm every KVM test is skipped, saying why", "[kvm_gate]") {
  const KvmCapabilities caps = absent();
  for (const auto* needs : {&kPlumbing, &kPagingKernel, &kFpuKernel, &kIntegerKernel}) {
    const std::string why = kvm_skip_reason(caps, *needs);
    CHECK(why.find("not usable") != std::string::npos);
    CHECK(why.find("/dev/kvm") != std::string::npos);
  }
  CHECK(!kvm_skip_reason(caps, {}).empty());  // even a test needing no probe
  CHECK(!kvm_not_an_oracle(caps).empty());
}

TEST_CASE("kvm_gate: a KVM that cannot page skips the paging kernels only", "[kvm_gate]") {
  const KvmCapabilities caps = no_paging();
  CHECK(runs(caps, kPlumbing));
  CHECK(runs(caps, kFpuKernel));
  CHECK(runs(caps, kIntegerKernel));
  const std::string why = kvm_skip_reason(caps, kPagingKernel);
  CHECK(why.find("paging-32") != std::string::npos);
  CHECK(why.find("it failed") != std::string::npos);  // the probe's own words
  CHECK(kvm_not_an_oracle(caps).empty());
}

TEST_CASE("kvm_gate: a KVM that emulates runs unpaged kernels but is no oracle", "[kvm_gate]") {
  const KvmCapabilities caps = emulating();
  CHECK(runs(caps, kPlumbing));
  CHECK(!runs(caps, kPagingKernel));
  CHECK(!runs(caps, kIntegerKernel));
  const std::string why = kvm_not_an_oracle(caps);
  CHECK(why.find(std::string(kNativeSpeedProbe)) != std::string::npos);
}

TEST_CASE("kvm_gate: a KVM that ignores the given CPUID skips the kernels that read CPUID", "[kvm_gate]") {
  const KvmCapabilities caps = partial_cpuid();
  CHECK(runs(caps, kPlumbing));
  CHECK(runs(caps, kIntegerKernel));
  CHECK(kvm_skip_reason(caps, kPagingKernel).find("cpuid") != std::string::npos);
  CHECK(kvm_skip_reason(caps, kFpuKernel).find("cpuid") != std::string::npos);
  CHECK(kvm_not_an_oracle(caps).empty());  // it runs guest code on the CPU: its answers count
}

TEST_CASE("kvm_gate: a full KVM runs everything and judges", "[kvm_gate]") {
  const KvmCapabilities caps = full();
  for (const auto* needs : {&kPlumbing, &kPagingKernel, &kFpuKernel, &kIntegerKernel}) CHECK(runs(caps, *needs));
  CHECK(kvm_not_an_oracle(caps).empty());
}

TEST_CASE("kvm_gate: a probe name nobody knows is a skip naming it, never a pass", "[kvm_gate]") {
  const std::vector<std::string_view> needs = {"protected-32", "vmx-in-vmx"};
  CHECK(kvm_skip_reason(full(), needs).find("vmx-in-vmx") != std::string::npos);
}

TEST_CASE("kvm_gate: probe lists from the command line", "[kvm_gate]") {
  CHECK(split_probe_names("protected-32,daa") == std::vector<std::string_view>{"protected-32", "daa"});
  CHECK(split_probe_names("-").empty());
  CHECK(split_probe_names("").empty());
  CHECK(split_probe_names("a,,b") == std::vector<std::string_view>{"a", "b"});
}
