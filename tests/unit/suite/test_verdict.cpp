// Verdicts (bt86/suite/verdict.h): one run's, from how bt86 ended and what
// the guest printed, and a guest's over several backends.
#include <catch2/catch.hpp>

#include <signal.h>

#include "bt86/suite/verdict.h"

using namespace bt86::suite;

namespace {

GuestEntry kernel() {
  GuestEntry e;
  e.exit_status = 1;
  e.timeout_seconds = 10;
  e.expect = {"^PASS$"};
  e.reject = {"^FAIL"};
  return e;
}

ChildEnd exited(int code) { return {ChildEnd::Kind::kExited, code, 0.5, {}}; }

}  // namespace

TEST_CASE("suite verdict: the exit status, then the serial output's lines", "[suite]") {
  const GuestEntry e = kernel();
  const std::string passed = "bt86: guest wrote 0x0 to isa-debug-exit (exit status 1)\n";
  CHECK(judge_run(e, exited(1), "booting\r\nPASS\r\n", passed, 5).result == Result::kPass);

  Verdict v = judge_run(e, exited(1), "booting\n", passed, 5);
  CHECK(v.result == Result::kFail);
  CHECK(v.reason == "no line of the serial output matches /^PASS$/");

  v = judge_run(e, exited(1), "FAIL: one\nPASS\n", passed, 5);
  CHECK(v.result == Result::kFail);
  CHECK(v.reason == "the serial output matches /^FAIL/: \"FAIL: one\"");

  // bt86's last word says why the status is not the one expected.
  v = judge_run(e, exited(2), "PASS\n", "bt86: triple fault: #GP ...; raised by 'int 0x30' (cd 30)\nguest state:\n  EAX=0\n (exit status 2)\n", 5);
  CHECK(v.result == Result::kFail);
  CHECK(v.reason == "triple fault: #GP ...; raised by 'int 0x30' (cd 30) (exit status 2, expected 1)");
  v = judge_run(e, exited(124), "", "bt86: timeout after 10 s (exit status 124)\n", 5);
  CHECK(v.reason == "timeout after 10 s (exit status 124, expected 1)");
  CHECK(judge_run(e, exited(3), "", "", 5).reason == "exit status 3, expected 1");
}

TEST_CASE("suite verdict: a guest that skips itself, and bt86 ending badly", "[suite]") {
  GuestEntry e = kernel();
  e.skip_status = 77;
  Verdict v = judge_run(e, exited(77), "SKIP: no x2APIC\nSUMMARY: 1 tests, 1 skipped\nSKIP: no TSX\n", "", 5);
  CHECK(v.result == Result::kSkip);
  CHECK(v.reason == "the guest skipped itself (exit status 77): SKIP: no x2APIC; SKIP: no TSX");
  e.skip_says = "not enabled";
  CHECK(judge_run(e, exited(77), "SMAP not enabled\n", "", 5).reason ==
        "the guest skipped itself (exit status 77): SMAP not enabled");
  CHECK(judge_run(e, exited(77), "", "", 5).reason == "the guest skipped itself (exit status 77)");

  v = judge_run(e, {ChildEnd::Kind::kKilled, SIGKILL, 15, {}}, "PASS\n", "", 5);
  CHECK(v.result == Result::kFail);
  CHECK(v.reason == "bt86 did not stop at its timeout of 10 s: killed 5 s later");
  v = judge_run(e, {ChildEnd::Kind::kSignaled, SIGSEGV, 1, {}}, "PASS\n", "", 5);
  CHECK(v.result == Result::kFail);
  CHECK_THAT(v.reason, Catch::StartsWith("bt86 died of signal 11"));
  v = judge_run(e, {ChildEnd::Kind::kNotStarted, 0, 0, "cannot run x: No such file"}, "", "", 5);
  CHECK(v.reason == "bt86 did not start: cannot run x: No such file");
}

TEST_CASE("suite verdict: a guest's backends together", "[suite]") {
  const Verdict pass{Result::kPass, {}};
  const Verdict fail{Result::kFail, "exit status 3, expected 1"};
  const Verdict skip{Result::kSkip, "KVM cannot page here"};
  CHECK(combine({{"bt", pass, 1}}).result == Result::kPass);
  CHECK(combine({{"bt", fail, 1}}).reason == "exit status 3, expected 1");
  // A disagreement names both sides.
  Verdict v = combine({{"bt", pass, 1}, {"kvm", fail, 1}});
  CHECK(v.result == Result::kFail);
  CHECK(v.reason == "bt passed, kvm failed: exit status 3, expected 1");
  v = combine({{"bt", fail, 1}, {"kvm", {Result::kFail, "timeout"}, 1}});
  CHECK(v.reason == "bt failed: exit status 3, expected 1; kvm failed: timeout");
  CHECK(combine({{"bt", pass, 1}, {"kvm", skip, 0}}).result == Result::kPass);
  CHECK(combine({{"bt", fail, 1}, {"kvm", skip, 0}}).reason == "bt failed: exit status 3, expected 1");
  // Skipped everywhere: once if for one reason.
  CHECK(combine({{"bt", skip, 0}, {"kvm", skip, 0}}).reason == "KVM cannot page here");
  v = combine({{"bt", {Result::kSkip, "runs only on kvm"}, 0}, {"kvm", skip, 0}});
  CHECK(v.result == Result::kSkip);
  CHECK(v.reason == "bt: runs only on kvm; kvm: KVM cannot page here");
}

TEST_CASE("suite verdict: bt86's last report line, without the exit status", "[suite]") {
  CHECK(last_report_line("PASS\nbt86: one\nbt86: two (exit status 1)\nguest state:\n") == "two");
  CHECK(last_report_line("no report\n").empty());
}
