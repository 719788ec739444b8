// One guest of a regression suite: how bt86 boots it and what its run must
// show. Manifests (manifest.h) and kvm-unit-tests' unittests.cfg (kut.h)
// both become these.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bt86::suite {

struct GuestEntry {
  std::string name;    // unique in the suite
  std::string group;   // where it came from (a manifest's name, "kvm-unit-tests"): JUnit's suite
  std::string origin;  // "FILE:LINE" of its definition, for messages
  std::string kernel;  // what `bt86 run --kernel` boots
  std::string initrd;  // empty: none
  std::string append;  // the kernel's command line
  std::string memory;  // as --memory takes it; empty: bt86's default
  std::string clock;   // host, wall or virtual; empty: the runner's --clock, else bt86's default
  std::vector<std::string> args;  // further `bt86 run` options
  // The backends it may run on (empty: any) and, when not empty, why not
  // on the others ("runs only on kvm (accel = kvm)").
  std::vector<std::string> backends;
  std::string backends_why;
  std::string kvm_needs;  // `bt86 kvm-probe` probes a KVM run needs ("protected-32,iretd")
  double timeout_seconds = 60;
  int exit_status = 0;             // what a passing run ends with
  std::optional<int> skip_status;  // the status with which the guest says it skipped itself
  std::string skip_says = R"(\bSKIP)";  // the serial lines that then say why (regex)
  // ECMAScript regular expressions, each searched in every line of the
  // serial output (COM1): every `expect` must match a line, no `reject` any.
  std::vector<std::string> expect, reject;
  std::string skip;  // not empty: not run, and this is why
};

// A suite that cannot be read: the message names the file and line.
struct SuiteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace bt86::suite
