#include "bt86/suite/verdict.h"

#include "text.h"

#include <fmt/format.h>

#include <cstring>
#include <regex>

namespace bt86::suite {

namespace {

constexpr std::string_view kReportPrefix = "bt86: ";

// Calls fn(line) for each line of text, without its CR, until fn returns true.
template <typename Fn>
bool any_line(std::string_view text, Fn fn) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (fn(line)) return true;
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return false;
}

std::string status_mismatch(const GuestEntry& entry, int status, std::string_view report) {
  std::string report_line = last_report_line(report);
  std::string expected = fmt::format("exit status {}, expected {}", status, entry.exit_status);
  return report_line.empty() ? expected : fmt::format("{} ({})", report_line, expected);
}

// The guest's own word on why it skipped: its lines that say so.
std::string skip_reason(const GuestEntry& entry, std::string_view serial) {
  const std::regex says(entry.skip_says);
  std::string lines;
  any_line(serial, [&](std::string_view line) {
    if (std::regex_search(line.begin(), line.end(), says)) lines += (lines.empty() ? "" : "; ") + std::string(line);
    return false;
  });
  std::string why = fmt::format("the guest skipped itself (exit status {})", *entry.skip_status);
  return lines.empty() ? why : fmt::format("{}: {}", why, lines);
}

std::string serial_mismatch(const GuestEntry& entry, std::string_view serial) {
  for (const std::string& pattern : entry.expect) {
    std::regex re(pattern);
    if (!any_line(serial, [&](std::string_view l) { return std::regex_search(l.begin(), l.end(), re); }))
      return fmt::format("no line of the serial output matches /{}/", pattern);
  }
  for (const std::string& pattern : entry.reject) {
    std::regex re(pattern);
    std::string hit;
    if (any_line(serial, [&](std::string_view l) {
          if (!std::regex_search(l.begin(), l.end(), re)) return false;
          hit = l;
          return true;
        }))
      return fmt::format("the serial output matches /{}/: \"{}\"", pattern, hit);
  }
  return {};
}

}  // namespace

std::string last_report_line(std::string_view text) {
  std::string last;
  any_line(text, [&](std::string_view line) {
    if (line.starts_with(kReportPrefix)) last = line.substr(kReportPrefix.size());
    return false;
  });
  // The exit status comes with the verdict; say it once.
  static const std::regex status_suffix(R"( \(exit status \d+\)$)");
  return std::regex_replace(last, status_suffix, "");
}

Verdict judge_run(const GuestEntry& entry, const ChildEnd& end, std::string_view serial, std::string_view report,
                  double grace_seconds) {
  switch (end.kind) {
    case ChildEnd::Kind::kNotStarted:
      return {Result::kFail, "bt86 did not start: " + end.error};
    case ChildEnd::Kind::kKilled:
      return {Result::kFail, fmt::format("bt86 did not stop at its timeout of {} s: killed {} s later", entry.timeout_seconds,
                                         grace_seconds)};
    case ChildEnd::Kind::kSignaled:
      return {Result::kFail, fmt::format("bt86 died of signal {} ({})", end.code, strsignal(end.code))};
    case ChildEnd::Kind::kExited:
      break;
  }
  if (entry.skip_status && end.code == *entry.skip_status) return {Result::kSkip, skip_reason(entry, serial)};
  if (end.code != entry.exit_status) return {Result::kFail, status_mismatch(entry, end.code, report)};
  if (std::string why = serial_mismatch(entry, serial); !why.empty()) return {Result::kFail, why};
  return {Result::kPass, {}};
}

Verdict combine(const std::vector<BackendVerdict>& runs) {
  std::vector<std::string> passed, failed, skipped;
  for (const BackendVerdict& r : runs) {
    const Verdict& v = r.verdict;
    if (v.result == Result::kPass) passed.push_back(r.backend);
    else if (v.result == Result::kFail) failed.push_back(runs.size() == 1 ? v.reason : r.backend + " failed: " + v.reason);
    else skipped.push_back(runs.size() == 1 ? v.reason : r.backend + ": " + v.reason);
  }
  if (!failed.empty()) {
    std::string why = join(failed, "; ");
    return {Result::kFail, passed.empty() ? why : fmt::format("{} passed, {}", join(passed, " and "), why)};
  }
  if (!passed.empty()) return {Result::kPass, {}};
  // Skipped everywhere: one reason if they all give the same.
  bool same = true;
  for (const BackendVerdict& r : runs) same &= r.verdict.reason == runs.front().verdict.reason;
  return {Result::kSkip, same && !runs.empty() ? runs.front().verdict.reason : join(skipped, "; ")};
}

}  // namespace bt86::suite
