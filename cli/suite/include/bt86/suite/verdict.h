// Verdicts: what one bt86 run of a guest says about it, and what a guest's
// runs on several backends say together.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "bt86/suite/entry.h"
#include "bt86/suite/process.h"

namespace bt86::suite {

enum class Result { kPass, kFail, kSkip };

struct Verdict {
  Result result = Result::kSkip;
  std::string reason;  // why it failed or was skipped; empty for a pass
};

// One run's verdict from how the bt86 process ended, its serial output
// (COM1) and its stderr (bt86's own report: its last line says how the run
// ended, naming what killed a guest). `grace_seconds` is how long the
// runner waited past the entry's timeout before killing bt86.
Verdict judge_run(const GuestEntry& entry, const ChildEnd& end, std::string_view serial, std::string_view report,
                  double grace_seconds);

// One backend's part in a guest's verdict.
struct BackendVerdict {
  std::string backend;
  Verdict verdict;
  double seconds = 0;  // 0 if it did not run
};

// A guest's verdict from its backends': any failure fails it (naming which
// backends passed, so that a disagreement shows); else it passes if one
// passed; else it is skipped.
Verdict combine(const std::vector<BackendVerdict>& runs);

// The last line of `text` that bt86 itself wrote ("bt86: ..."), without
// the prefix; empty if none.
std::string last_report_line(std::string_view text);

}  // namespace bt86::suite
