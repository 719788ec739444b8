// Which tests this host's KVM can serve, decided from the probes
// (kvm_probe.h) alone, so that a new kind of host (no /dev/kvm, a KVM that
// cannot page, one that emulates every instruction, one that ignores the
// CPUID it is given) skips what it cannot run instead of failing it.
//
// Two questions, asked by `bt86 kvm-probe --needs ...` / `--oracle`, by the
// fuzzer's KVM side and by the unit tests of the KVM backend:
//  - can the test run at all: every probe it names works;
//  - is KVM a judge: where KVM emulates guest code instead of running it on
//    the CPU (probe native-speed fails), a disagreement between KVM and the
//    host CPU or bt86 is its emulator's, and a test that found one is
//    skipped, naming the probe, instead of failed.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bt86/kvm/kvm_probe.h"

namespace bt86 {

// The probe whose success makes KVM an oracle for instruction semantics.
inline constexpr std::string_view kNativeSpeedProbe = "native-speed";

// Empty when KVM is usable and every probe named in `needs` works; else
// why a test needing them must be skipped (the failing probe and its words).
std::string kvm_skip_reason(const KvmCapabilities& caps, std::span<const std::string_view> needs);

// Empty when KVM runs guest code on the CPU, so its disagreements count;
// else why a disagreement found on it is not bt86's failure.
std::string kvm_not_an_oracle(const KvmCapabilities& caps);

// "a,b,c" -> {"a", "b", "c"}; "-" and empty items mean nothing.
std::vector<std::string_view> split_probe_names(std::string_view list);

}  // namespace bt86
