// kvm-unit-tests' unittests.cfg as a suite (bt86/suite/kut.h): which tests
// an i386 default run has, and how each becomes a bt86 run.
#include <catch2/catch.hpp>

#include "bt86/suite/kut.h"
#include "temp_dir.h"

using bt86::suite::GuestEntry;
using bt86::suite::parse_kut;

namespace {

// In unittests.cfg's format (values bare or quoted, # comments).
constexpr const char* kConfig = R"(# header comment
[plain]
file = plain.flat

[with_args]
file = multi.flat
test_args = 'alpha beta'
qemu_params = -cpu max -m 2048 -machine pit=off
timeout = 5m
groups = some

[two_cpus]
file = plain.flat
smp = 2

[wide]
file = plain.flat
arch = x86_64

[not_default]
file = plain.flat
groups = vmx nodefault

[counters]
file = plain.flat
accel = kvm

[realmode]
file = plain.flat
arch = i386

[unbuilt]
file = missing.flat
timeout = 30s
)";

const GuestEntry& by_name(const std::vector<GuestEntry>& entries, const std::string& name) {
  for (const GuestEntry& e : entries)
    if (e.name == name) return e;
  FAIL("no guest " << name);
  static const GuestEntry none;
  return none;
}

}  // namespace

TEST_CASE("suite --kut: unittests.cfg's i386 default group, each test as its x86/run boots it", "[suite]") {
  bt86::test::TempDir dir;
  dir.write("x86/plain.flat", "");
  dir.write("x86/multi.flat", "");
  const std::string build = dir.path.string();
  std::vector<GuestEntry> entries = parse_kut(kConfig, "unittests.cfg", build, "/out/kut.env");

  std::vector<std::string> names;
  for (const GuestEntry& e : entries) names.push_back(e.name);
  // x86_64-only and nodefault tests are not in an i386 default run.
  CHECK(names == std::vector<std::string>{"plain", "with_args", "two_cpus", "counters", "realmode", "unbuilt"});

  const GuestEntry& plain = by_name(entries, "plain");
  CHECK(plain.kernel == build + "/x86/plain.flat");
  CHECK(plain.append == "plain.flat");  // QEMU's Multiboot loader: the kernel's name first
  CHECK(plain.initrd == "/out/kut.env");
  CHECK(plain.timeout_seconds == 90);
  CHECK(plain.exit_status == 1);
  CHECK(plain.skip_status == 77);
  CHECK(plain.skip_says == "^SKIP: |not supported|not available|not enabled");
  CHECK(plain.group == "kvm-unit-tests");
  CHECK(plain.memory.empty());
  CHECK(plain.skip.empty());
  CHECK(plain.backends.empty());
  CHECK(plain.origin == "unittests.cfg:2");

  const GuestEntry& args = by_name(entries, "with_args");
  CHECK(args.append == "multi.flat alpha beta");
  CHECK(args.memory == "2048M");
  CHECK(args.timeout_seconds == 300);

  CHECK(by_name(entries, "two_cpus").skip == "needs 2 CPUs; bt86 runs one");
  CHECK(by_name(entries, "unbuilt").skip == "x86/missing.flat is not built for i386");
  CHECK(by_name(entries, "unbuilt").timeout_seconds == 30);

  const GuestEntry& counters = by_name(entries, "counters");
  CHECK(counters.backends == std::vector<std::string>{"kvm"});
  CHECK(counters.backends_why == "runs only on KVM (accel = kvm)");
  const GuestEntry& realmode = by_name(entries, "realmode");
  CHECK(realmode.backends == std::vector<std::string>{"kvm"});
  CHECK_THAT(realmode.backends_why, Catch::Contains("real mode"));
}

TEST_CASE("suite --kut: a directory without unittests.cfg is refused", "[suite]") {
  bt86::test::TempDir dir;
  CHECK_THROWS_WITH(bt86::suite::read_kut(dir.path.string(), "env"), Catch::Contains("no x86/unittests.cfg"));
}
