// What CI reads (bt86/suite/report.h) and how a suite is split and chosen
// (bt86/suite/suite.h): JUnit's text survives any guest output, TAP's
// lines stay TAP, shards cover the suite once.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "bt86/suite/report.h"
#include "bt86/suite/suite.h"

using namespace bt86::suite;

namespace {

GuestEntry entry(const std::string& name, const std::string& group = "kernels") {
  GuestEntry e;
  e.name = name;
  e.group = group;
  e.origin = "m.toml:1";
  return e;
}

std::optional<SuiteOptions> parse(std::vector<std::string> args, std::string& error) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return parse_suite_options(static_cast<int>(argv.size()), argv.data(), error);
}

}  // namespace

TEST_CASE("suite reports: XML text holds any guest output", "[suite]") {
  CHECK(xml_escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&apos;");
  CHECK(xml_escape("tab\tnl\ncr\r") == "tab\tnl\ncr&#13;");
  // Controls XML 1.0 cannot hold (an ANSI escape, NUL, DEL) and malformed
  // UTF-8 become U+FFFD; well-formed UTF-8 stays.
  CHECK(xml_escape("\x1b[0m") == "\xEF\xBF\xBD[0m");
  CHECK(xml_escape(std::string("a\0b", 3)) == "a\xEF\xBF\xBD" "b");
  CHECK(xml_escape("\x7F") == "\xEF\xBF\xBD");
  CHECK(xml_escape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  CHECK(xml_escape("\xC3") == "\xEF\xBF\xBD");                      // cut short
  CHECK(xml_escape("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");      // overlong
  CHECK(xml_escape("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  CHECK(xml_escape("\xF8\x88\x80\x80\x80").find("\xF8") == std::string::npos);
  CHECK(xml_escape("\xEF\xBF\xBE") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // U+FFFE
}

TEST_CASE("suite reports: TAP and JUnit, a test per guest", "[suite]") {
  const GuestEntry a = entry("a"), b = entry("b # odd\nname"), c = entry("c", "kvm-unit-tests");
  std::vector<GuestResult> results(3);
  results[0] = {&a, {Result::kPass, {}}, {}, 0.25, {}, {}, {}};
  results[1] = {&b, {Result::kFail, "it's broken\nbadly"}, {}, 1, "out/failed/b", "serial \x1b[1m", "bt86: died"};
  results[2] = {&c, {Result::kSkip, "needs 2 CPUs"}, {}, 0, {}, {}, {}};

  std::ostringstream tap;
  write_tap(tap, results);
  CHECK(tap.str() ==
        "TAP version 13\n1..3\nok 1 - a\nnot ok 2 - b _ odd name\n  ---\n  message: 'it''s broken badly'\n"
        "  defined_at: 'm.toml:1'\n  logs: 'out/failed/b'\n  ...\nok 3 - c # SKIP needs 2 CPUs\n");

  std::ostringstream junit;
  write_junit(junit, results, {"2026-01-01T00:00:00", "host", 3.5, {{"backends", "bt"}}});
  const std::string xml = junit.str();
  CHECK_THAT(xml, Catch::Contains("<testsuites name=\"bt86 suite\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\" time=\"3.500\">"));
  CHECK_THAT(xml, Catch::Contains("<testsuite name=\"kernels\" id=\"0\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""));
  CHECK_THAT(xml, Catch::Contains("<testsuite name=\"kvm-unit-tests\" id=\"1\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\""));
  CHECK_THAT(xml, Catch::Contains("<testcase name=\"a\" classname=\"kernels\" time=\"0.250\"/>"));
  CHECK_THAT(xml, Catch::Contains("<failure message=\"it&apos;s broken\nbadly\" type=\"verdict\">"));
  CHECK_THAT(xml, Catch::Contains("<system-out>serial \xEF\xBF\xBD[1m</system-out>"));
  CHECK_THAT(xml, Catch::Contains("<skipped message=\"needs 2 CPUs\"/>"));
  CHECK_THAT(xml, Catch::Contains("<property name=\"backends\" value=\"bt\"/>"));
}

TEST_CASE("suite shards: K/N parts cover the suite once, in order", "[suite]") {
  std::vector<GuestEntry> all;
  for (int i = 0; i < 10; ++i) all.push_back(entry("g" + std::to_string(i)));
  std::vector<std::string> seen;
  for (unsigned k = 0; k < 3; ++k) {
    std::vector<GuestEntry> part = take_shard(all, k, 3);
    CHECK(part.size() == (k == 0 ? 4u : 3u));
    for (const GuestEntry& e : part) seen.push_back(e.name);
  }
  std::sort(seen.begin(), seen.end());
  std::vector<std::string> names;
  for (const GuestEntry& e : all) names.push_back(e.name);
  CHECK(seen == names);
  CHECK(take_shard(all, 0, 1).size() == 10);
}

TEST_CASE("suite options: what bt86 suite accepts and refuses", "[suite]") {
  std::string error;
  auto o = parse({"-j3", "--backend", "bt,kvm", "--shard", "2/5", "--clock", "virtual", "m.toml", "--kut", "k"}, error);
  REQUIRE(o);
  CHECK(o->jobs == 3);
  CHECK(o->backends == std::vector<std::string>{"bt", "kvm"});
  CHECK(o->shard_index == 1);
  CHECK(o->shard_count == 5);
  CHECK(o->clock == "virtual");
  CHECK(o->sources == std::vector<std::string>{"m.toml"});
  CHECK(o->kut_dir == "k");
  REQUIRE(parse({"m.toml"}, error));
  CHECK(parse({"m.toml"}, error)->jobs >= 1);  // the number of cores

  auto refused = [&](std::vector<std::string> args) {
    error.clear();
    return !parse(std::move(args), error) ? error : "(accepted)";
  };
  CHECK_THAT(refused({}), Catch::Contains("no guests"));
  CHECK_THAT(refused({"m", "--shard", "0/2"}), Catch::Contains("1 <= K <= N"));
  CHECK_THAT(refused({"m", "--shard", "3/2"}), Catch::Contains("1 <= K <= N"));
  CHECK_THAT(refused({"m", "--shard", "1"}), Catch::Contains("1 <= K <= N"));
  CHECK_THAT(refused({"m", "-j", "0"}), Catch::Contains("above 0"));
  CHECK_THAT(refused({"m", "--backend", "qemu"}), Catch::Contains("expected bt, kvm or bt,kvm"));
  CHECK_THAT(refused({"m", "--backend", "bt,bt"}), Catch::Contains("twice"));
  CHECK_THAT(refused({"m", "--filter", "("}), Catch::Contains("not a regular expression"));
  CHECK_THAT(refused({"m", "--junit"}), Catch::Contains("needs a value"));
  CHECK_THAT(refused({"m", "--bogus"}), Catch::Contains("unknown option"));
}
