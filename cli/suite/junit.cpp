#include <fmt/format.h>

#include <map>

#include "bt86/suite/report.h"

namespace bt86::suite {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed UTF-8 sequence at s[i] that XML allows,
// or 0.
size_t xml_char_length(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return (b >= 0x20 || b == '\t' || b == '\n' || b == '\r') && b != 0x7F ? 1 : 0;
  size_t len = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0;
  if (!len || i + len > s.size()) return 0;
  uint32_t cp = b & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (c & 0x3F);
  }
  const uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
  return len;
}

std::string seconds(double s) { return fmt::format("{:.3f}", s); }

struct Counts {
  size_t tests = 0, failures = 0, skipped = 0;
  double seconds = 0;
  void add(const GuestResult& r) {
    ++tests;
    failures += r.verdict.result == Result::kFail;
    skipped += r.verdict.result == Result::kSkip;
    seconds += r.seconds;
  }
  std::string attributes() const {
    return fmt::format("tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\"", tests, failures, skipped,
                       suite::seconds(seconds));
  }
};

void write_case(std::ostream& out, const GuestResult& r) {
  const GuestEntry& e = *r.entry;
  out << fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"", xml_escape(e.name), xml_escape(e.group),
                     seconds(r.seconds));
  if (r.verdict.result == Result::kPass) {
    out << "/>\n";
    return;
  }
  out << ">\n";
  if (r.verdict.result == Result::kSkip) {
    out << fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(r.verdict.reason));
  } else {
    out << fmt::format("      <failure message=\"{}\" type=\"verdict\">", xml_escape(r.verdict.reason));
    out << xml_escape(fmt::format("{}\ndefined at {}\nlogs in {}\n", r.verdict.reason, e.origin, r.failure_dir));
    out << "</failure>\n";
    out << "      <system-out>" << xml_escape(r.output) << "</system-out>\n";
    out << "      <system-err>" << xml_escape(r.report) << "</system-err>\n";
  }
  out << "    </testcase>\n";
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t len = xml_char_length(text, i);
    if (!len) {
      out += kReplacement;
      ++i;
      continue;
    }
    switch (text[i]) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;  // kept: a bare CR would read as a line end
      default: out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

void write_junit(std::ostream& out, const std::vector<GuestResult>& results, const RunInfo& info) {
  // One <testsuite> per group, in the order groups first appear.
  std::vector<std::string> groups;
  std::map<std::string, Counts> counts;
  Counts all;
  for (const GuestResult& r : results) {
    if (!counts.count(r.entry->group)) groups.push_back(r.entry->group);
    counts[r.entry->group].add(r);
    all.add(r);
  }
  all.seconds = info.seconds;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites name=\"bt86 suite\" {}>\n", all.attributes());
  for (size_t g = 0; g < groups.size(); ++g) {
    out << fmt::format("  <testsuite name=\"{}\" id=\"{}\" {} timestamp=\"{}\" hostname=\"{}\">\n", xml_escape(groups[g]),
                       g, counts[groups[g]].attributes(), xml_escape(info.timestamp), xml_escape(info.hostname));
    out << "    <properties>\n";
    for (const auto& [name, value] : info.properties)
      out << fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_escape(name), xml_escape(value));
    out << "    </properties>\n";
    for (const GuestResult& r : results)
      if (r.entry->group == groups[g]) write_case(out, r);
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace bt86::suite
