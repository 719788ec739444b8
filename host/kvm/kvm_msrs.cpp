#include "kvm_msrs.h"

#include <sys/ioctl.h>
#include <x86intrin.h>

#include <iterator>

#include "bt86/devices/local_apic.h"

namespace bt86 {

namespace {
struct Range {
  uint32_t base, count;
};
// The MSRs the model answers itself (see kvm_msrs.h), and x2APIC's, which
// it refuses.
constexpr Range kOwnRanges[] = {
    {msr::kP5McAddr, 2},      {msr::kApicBase, 1},  {msr::kArchCapabilities, 1}, {msr::kMcgCap, 3},
    {msr::kMiscEnable, 1},    {msr::kMc0Ctl, 0x80}, {msr::kTscDeadline, 1},      {0x800, 0x100},
    {msr::kPerfEvtSel0, 8},
};
uint8_t deny_all[0x100 / 8] = {};  // a clear bit: not KVM's, exit to userspace
}  // namespace

bool route_msrs_to_userspace(const KvmVm& vm) {
  if (!vm.extension(KVM_CAP_X86_USER_SPACE_MSR) || !vm.extension(KVM_CAP_X86_MSR_FILTER)) return false;
  kvm_enable_cap cap{};
  cap.cap = KVM_CAP_X86_USER_SPACE_MSR;
  cap.args[0] = KVM_MSR_EXIT_REASON_FILTER | KVM_MSR_EXIT_REASON_UNKNOWN;
  if (::ioctl(vm.fd(), KVM_ENABLE_CAP, &cap) < 0) return false;
  kvm_msr_filter filter{};
  filter.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
  static_assert(std::size(kOwnRanges) <= KVM_MSR_FILTER_MAX_RANGES);
  for (size_t i = 0; i < std::size(kOwnRanges); ++i) {
    filter.ranges[i].flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE;
    filter.ranges[i].base = kOwnRanges[i].base;
    filter.ranges[i].nmsrs = kOwnRanges[i].count;
    filter.ranges[i].bitmap = deny_all;
  }
  return ::ioctl(vm.fd(), KVM_X86_SET_MSR_FILTER, &filter) == 0;
}

void handle_msr_exit(kvm_run& run, CpuState& cpu, LocalApic* apic) {
  const MsrContext c{cpu, apic, __rdtsc()};
  if (run.exit_reason == KVM_EXIT_X86_RDMSR) {
    std::optional<uint64_t> v = read_msr(c, run.msr.index);
    run.msr.error = !v;
    run.msr.data = v.value_or(0);
  } else {
    run.msr.error = !write_msr(c, run.msr.index, run.msr.data);
  }
}

}  // namespace bt86
