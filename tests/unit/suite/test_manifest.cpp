// Manifests (bt86/suite/manifest.h): the INI/TOML-like format, defaults,
// per-guest files in a directory, and errors that name the file and line.
#include <catch2/catch.hpp>

#include "bt86/suite/manifest.h"
#include "temp_dir.h"

using bt86::suite::GuestEntry;
using bt86::suite::parse_manifest;
using bt86::suite::read_manifest;
using bt86::suite::SuiteError;

TEST_CASE("suite manifest: every key, defaults before the first section, relative paths", "[suite]") {
  const std::string text = R"(# a comment
exit_status = 1      # the kernels' PASS
timeout = 30
expect = "^PASS$"

[hello]
kernel = "guests/hello.elf"
initrd = '/abs/initrd.img'
append = "console=ttyS0 \"quoted\"\tx"
memory = 64M
clock = virtual
args = ["--on-reset", "restart"]
backend = ["bt", "kvm"]
kvm_needs = ["protected-32", "iretd"]
skip_status = 77
reject = [
  "^FAIL",   # a list may span lines
  'a\d+',    # literal strings keep backslashes
]

[later]
skip = "needs a disk"
timeout = 2.5
exit_status = 0
)";
  std::vector<GuestEntry> entries = parse_manifest(text, "/suites/kernels.toml");
  REQUIRE(entries.size() == 2);
  const GuestEntry& h = entries[0];
  CHECK(h.name == "hello");
  CHECK(h.group == "kernels");
  CHECK(h.origin == "/suites/kernels.toml:6");
  CHECK(h.kernel == "/suites/guests/hello.elf");
  CHECK(h.initrd == "/abs/initrd.img");
  CHECK(h.append == "console=ttyS0 \"quoted\"\tx");
  CHECK(h.memory == "64M");
  CHECK(h.clock == "virtual");
  CHECK(h.args == std::vector<std::string>{"--on-reset", "restart"});
  CHECK(h.backends == std::vector<std::string>{"bt", "kvm"});
  CHECK(h.kvm_needs == "protected-32,iretd");
  CHECK(h.timeout_seconds == 30);
  CHECK(h.exit_status == 1);
  CHECK(h.skip_status == 77);
  CHECK(h.expect == std::vector<std::string>{"^PASS$"});
  CHECK(h.reject == std::vector<std::string>{"^FAIL", "a\\d+"});
  CHECK(h.skip.empty());

  const GuestEntry& l = entries[1];
  CHECK(l.skip == "needs a disk");
  CHECK(l.kernel.empty());  // a skipped guest needs none
  CHECK(l.timeout_seconds == 2.5);
  CHECK(l.exit_status == 0);         // its own value wins over the default
  CHECK(l.expect == h.expect);       // the default
  CHECK_FALSE(l.skip_status);
}

TEST_CASE("suite manifest: CRLF line ends and bare values with '#' inside", "[suite]") {
  auto entries = parse_manifest("[a]\r\nkernel = k.elf\r\nappend = x#y # comment\r\n", "/m/s.ini");
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].kernel == "/m/k.elf");
  CHECK(entries[0].append == "x#y");
}

TEST_CASE("suite manifest: mistakes are refused naming the file and line", "[suite]") {
  auto error = [](const std::string& text) {
    try {
      parse_manifest(text, "m.toml");
    } catch (const SuiteError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  CHECK_THAT(error("[a]\nkernel = k\ntimout = 5\n"), Catch::StartsWith("m.toml:3: timout: unknown key"));
  CHECK_THAT(error("[a]\nkernel = k\n[a]\nkernel = k\n"), Catch::Contains("m.toml:3: section [a] is already defined at line 1"));
  CHECK_THAT(error("[a]\nkernel = k\nkernel = j\n"), Catch::Contains("m.toml:3: key 'kernel' is already set at line 2"));
  CHECK_THAT(error("[a]\n"), Catch::Contains("m.toml:1: guest 'a' has no kernel"));
  CHECK_THAT(error("[a]\nkernel = k\nexit_status = 256\n"), Catch::Contains("m.toml:3: exit_status: '256' is not an exit status"));
  CHECK_THAT(error("[a]\nkernel = k\ntimeout = 0\n"), Catch::Contains("not a number of seconds above 0"));
  CHECK_THAT(error("[a]\nkernel = k\nexpect = \"(\"\n"), Catch::Contains("m.toml:3: expect: /(/ is not a regular expression"));
  CHECK_THAT(error("[a]\nkernel = k\nbackend = qemu\n"), Catch::Contains("unknown backend 'qemu'"));
  CHECK_THAT(error("[a]\nkernel = k\nclock = fast\n"), Catch::Contains("expected host, wall or virtual"));
  CHECK_THAT(error("[a]\nkernel = [\"a\", \"b\"]\n"), Catch::Contains("m.toml:2: kernel: expected one value, not a list"));
  CHECK_THAT(error("[a]\nkernel = \"k\n"), Catch::Contains("m.toml:2: a string has no closing quote"));
  CHECK_THAT(error("[a]\nkernel = \"k\" x\n"), Catch::Contains("unexpected 'x' after the value"));
  CHECK_THAT(error("[a]\nexpect = [\"a\",\n"), Catch::Contains("the list has no closing ']'"));
  CHECK_THAT(error("[a]\nkernel =\n"), Catch::Contains("m.toml:2: a value is missing"));
  CHECK_THAT(error("[a]\nkernel = \"\\q\"\n"), Catch::Contains("unknown escape"));
  CHECK_THAT(error("[a\n"), Catch::Contains("m.toml:1: a section header is '[name]'"));
  CHECK_THAT(error("[a]\njust words\n"), Catch::Contains("m.toml:2: expected 'key = value'"));
}

TEST_CASE("suite manifest: a directory holds a file per guest, or files of sections, in name order", "[suite]") {
  bt86::test::TempDir dir;
  dir.write("nightly/b-hello.toml", "kernel = \"hello.elf\"\nexit_status = 1\n");
  dir.write("nightly/a-two.ini", "timeout = 5\n[one]\nkernel = one.elf\n[two]\nkernel = two.elf\n");
  dir.write("nightly/notes.txt", "not a guest");
  std::vector<GuestEntry> entries = read_manifest((dir.path / "nightly").string());
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].name == "one");
  CHECK(entries[1].name == "two");
  CHECK(entries[1].timeout_seconds == 5);
  CHECK(entries[2].name == "b-hello");  // a file without sections: named after it
  CHECK(entries[2].kernel == (dir.path / "nightly/hello.elf").string());
  CHECK(entries[2].origin == (dir.path / "nightly/b-hello.toml").string() + ":1");
  for (const GuestEntry& e : entries) CHECK(e.group == "nightly");

  dir.write("empty/readme", "");
  CHECK_THROWS_WITH(read_manifest((dir.path / "empty").string()), Catch::Contains("no *.toml or *.ini files"));
  CHECK_THROWS_WITH(read_manifest((dir.path / "missing.toml").string()), Catch::Contains("cannot read it"));
}
