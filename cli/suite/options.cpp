#include <fmt/format.h>

#include <charconv>
#include <regex>
#include <string_view>
#include <thread>

#include "bt86/suite/suite.h"
#include "text.h"

namespace bt86::suite {

namespace {

std::optional<unsigned> parse_unsigned(std::string_view s) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string suite_usage() {
  return "usage: bt86 suite [OPTIONS] [DIR | MANIFEST]... [--kut KUT-DIR]\n"
         "  DIR, MANIFEST      guests to run: a manifest file with a [section] per guest,\n"
         "                     or a directory of *.toml/*.ini files (README.md,\n"
         "                     \"Regression suites\", has the format)\n"
         "  --kut DIR          also kvm-unit-tests' tests from the build in DIR\n"
         "                     (x86/unittests.cfg: its default group, i386)\n"
         "  -j N, --jobs N     guests run at once (default: the number of cores)\n"
         "  --backend LIST     bt, kvm or bt,kvm: run every guest on each and compare\n"
         "                     the verdicts (KVM runs are skipped, with the reason,\n"
         "                     where this host's KVM cannot run the guest)\n"
         "  --clock MODE       host, wall or virtual for guests that name none\n"
         "  --filter REGEX     only the guests whose name REGEX finds\n"
         "  --shard K/N        only the K-th of N equal parts of the suite (1 <= K <= N)\n"
         "  --junit FILE       write JUnit XML there\n"
         "  --tap FILE         write TAP (version 13) there\n"
         "  --out DIR          where failed guests leave their logs, one directory\n"
         "                     each (default ./suite-out; its failed/ is emptied first)\n"
         "  --list             print each guest's bt86 command line, run nothing\n"
         "  --bt86 PATH        run the guests with this bt86 executable (default: this\n"
         "                     one), e.g. another build's, to compare\n"
         "One line per guest as it ends, then 'N passed, N failed, N skipped'. Exit\n"
         "status 0 when no guest failed, 1 when one did, 2 when the suite is unusable.\n";
}

std::optional<SuiteOptions> parse_suite_options(int argc, char** argv, std::string& error) {
  SuiteOptions o;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) {
        error = fmt::format("option {} needs a value", arg);
        return std::nullopt;
      }
      return std::string(argv[++i]);
    };
    auto fail = [&](const std::string& what) {
      error = what;
      return std::nullopt;
    };
    std::optional<std::string> v;
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      return o;
    }
    if (arg == "--list") {
      o.list = true;
    } else if (arg == "--kut") {
      if (!(v = value())) return std::nullopt;
      o.kut_dir = *v;
    } else if (arg == "-j" || arg == "--jobs" || (arg.starts_with("-j") && arg.size() > 2)) {
      if (arg.size() > 2 && arg[1] == 'j') v = std::string(arg.substr(2));
      else if (!(v = value())) return std::nullopt;
      auto n = parse_unsigned(*v);
      if (!n || *n == 0) return fail(fmt::format("-j {}: expected a number of guests above 0", *v));
      o.jobs = *n;
    } else if (arg == "--backend") {
      if (!(v = value())) return std::nullopt;
      o.backends = split(*v, ',');
      for (const std::string& b : o.backends)
        if (b != "bt" && b != "kvm") return fail(fmt::format("--backend {}: expected bt, kvm or bt,kvm", *v));
      for (size_t k = 1; k < o.backends.size(); ++k)
        if (o.backends[k] == o.backends[0]) return fail(fmt::format("--backend {}: names a backend twice", *v));
    } else if (arg == "--clock") {
      if (!(v = value())) return std::nullopt;
      if (*v != "host" && *v != "wall" && *v != "virtual")
        return fail(fmt::format("--clock {}: expected host, wall or virtual", *v));
      o.clock = *v;
    } else if (arg == "--filter") {
      if (!(v = value())) return std::nullopt;
      try {
        std::regex re(*v);
      } catch (const std::regex_error& e) {
        return fail(fmt::format("--filter {}: not a regular expression: {}", *v, e.what()));
      }
      o.filter = *v;
    } else if (arg == "--shard") {
      if (!(v = value())) return std::nullopt;
      std::vector<std::string> kn = split(*v, '/');
      auto k = kn.size() == 2 ? parse_unsigned(kn[0]) : std::nullopt;
      auto n = kn.size() == 2 ? parse_unsigned(kn[1]) : std::nullopt;
      if (!k || !n || *k < 1 || *k > *n) return fail(fmt::format("--shard {}: expected K/N with 1 <= K <= N", *v));
      o.shard_index = *k - 1;
      o.shard_count = *n;
    } else if (arg == "--junit") {
      if (!(v = value())) return std::nullopt;
      o.junit_file = *v;
    } else if (arg == "--tap") {
      if (!(v = value())) return std::nullopt;
      o.tap_file = *v;
    } else if (arg == "--bt86") {
      if (!(v = value())) return std::nullopt;
      o.bt86 = *v;
    } else if (arg == "--out") {
      if (!(v = value())) return std::nullopt;
      o.out_dir = *v;
    } else if (arg.starts_with("-")) {
      return fail(fmt::format("unknown option '{}'", arg));
    } else {
      o.sources.emplace_back(arg);
    }
  }
  if (o.sources.empty() && o.kut_dir.empty()) {
    error = "no guests: name a manifest, a directory or --kut DIR";
    return std::nullopt;
  }
  if (!o.jobs) o.jobs = std::max(1u, std::thread::hardware_concurrency());
  return o;
}

}  // namespace bt86::suite
