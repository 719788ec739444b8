// Runs one case on the native oracle and on another side, compares, and
// shrinks a difference to a minimal program (units dropped while the same
// field still differs), then prints the reproducer.
#pragma once
#include <functional>
#include <string>

#include "generator.h"
#include "runner.h"

namespace bt86::fuzz {

struct Verdict {
  std::vector<std::string> differences;
  uint64_t instructions = 0;  // reached on the native side
  Outcome native;
  Outcome other;
};

class Differ {
public:
  Differ(Runner& native, Runner& other) : native_(native), other_(other) {}

  // Changes the other side's outcome before comparison (the self-test).
  std::function<void(const Case&, Outcome&)> corrupt;
  // The report's first words, and the options that rebuild the same cases.
  std::string title = "difference";
  std::string reproduce_options;
  // FUZZ_MODE_*: the 16-bit modes assemble for a 16-bit code segment.
  uint32_t mode = FUZZ_MODE_FLAT32;

  Verdict check(const Case& c, const std::vector<bool>& keep = {});
  // The minimal reproducer of a case that differs, as text.
  std::string shrink_and_report(const Case& c, const Verdict& first);

private:
  Runner& native_;
  Runner& other_;
  uint32_t slot_ = 0;
};

}  // namespace bt86::fuzz
