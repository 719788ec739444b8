// kvm-unit-tests' x86/unittests.cfg as a suite: each test of its default
// group that an i386 build runs (no arch or arch = i386, not in group
// nodefault: what its run_tests.sh picks) becomes a guest, booted the way
// its x86/run boots it on QEMU: the kernel x86/<file>, the file's name and
// test_args as the command line (QEMU's Multiboot loader puts the kernel's
// name first), the environment file as a Multiboot module (the suite's
// -initrd), memory from qemu_params' -m, and the test's timeout (90 s if
// none). Exit status 1 passes (isa-debug-exit 0), 77 skipped itself, and a
// SUMMARY with unexpected failures fails. Tests that need several CPUs are
// skipped, tests that run only on KVM (accel = kvm) or need what bt86
// deliberately lacks run only on kvm, each saying why.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "bt86/suite/entry.h"

namespace bt86::suite {

// The suite of the kvm-unit-tests build in `dir` (its x86/unittests.cfg);
// every guest gets `env_file` (written by the caller, see kut_environment)
// as its module.
std::vector<GuestEntry> read_kut(const std::string& dir, const std::string& env_file);

// The same from unittests.cfg's text (for tests); `dir` is the build.
std::vector<GuestEntry> parse_kut(std::string_view cfg, const std::string& cfg_path, const std::string& dir,
                                  const std::string& env_file);

// What the environment file holds (TARGET, ERRATA_FORCE).
std::string kut_environment();

}  // namespace bt86::suite
