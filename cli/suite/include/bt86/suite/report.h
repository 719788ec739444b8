// What CI systems read: JUnit XML (a <testsuite> per group of guests, a
// <testcase> per guest) and TAP version 13 (a test point per guest).
#pragma once
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "bt86/suite/entry.h"
#include "bt86/suite/verdict.h"

namespace bt86::suite {

struct GuestResult {
  const GuestEntry* entry = nullptr;
  Verdict verdict;
  std::vector<BackendVerdict> backends;
  double seconds = 0;          // its runs' time, added up
  std::string failure_dir;     // a failed guest's logs
  std::string output, report;  // a failed guest's serial output and bt86's report (their ends)
};

struct RunInfo {
  std::string timestamp;  // ISO 8601, when the suite started
  std::string hostname;
  double seconds = 0;  // the whole suite's wall time
  std::vector<std::pair<std::string, std::string>> properties;
};

void write_junit(std::ostream& out, const std::vector<GuestResult>& results, const RunInfo& info);
void write_tap(std::ostream& out, const std::vector<GuestResult>& results);

// Text as XML 1.0 character data or attribute value: markup escaped,
// characters XML cannot hold (controls other than tab/LF/CR, malformed
// UTF-8) replaced by U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace bt86::suite
