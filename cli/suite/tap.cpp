#include <fmt/format.h>

#include "bt86/suite/report.h"

namespace bt86::suite {

namespace {

// One line of TAP text: no line ends, and no '#' that would start a directive.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) out += c == '\n' || c == '\r' ? ' ' : c == '#' ? '_' : c;
  return out;
}

// A YAML single-quoted scalar.
std::string yaml_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else out += c == '\n' || c == '\r' ? ' ' : c;
  }
  return out + "'";
}

}  // namespace

void write_tap(std::ostream& out, const std::vector<GuestResult>& results) {
  out << "TAP version 13\n" << fmt::format("1..{}\n", results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    const GuestResult& r = results[i];
    const std::string name = one_line(r.entry->name);
    switch (r.verdict.result) {
      case Result::kPass:
        out << fmt::format("ok {} - {}\n", i + 1, name);
        break;
      case Result::kSkip:
        out << fmt::format("ok {} - {} # SKIP {}\n", i + 1, name, one_line(r.verdict.reason));
        break;
      case Result::kFail:
        out << fmt::format("not ok {} - {}\n", i + 1, name);
        out << "  ---\n";
        out << "  message: " << yaml_quote(r.verdict.reason) << "\n";
        out << "  defined_at: " << yaml_quote(r.entry->origin) << "\n";
        out << "  logs: " << yaml_quote(r.failure_dir) << "\n";
        out << "  ...\n";
        break;
    }
  }
}

}  // namespace bt86::suite
