// How one run of a case ended, on either side (native CPU, bt86), and
// the comparison of two such endings.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_abi.h"

namespace bt86::fuzz {

// A side that could not run the case at all (bt86 died).
inline constexpr uint32_t kStopped = 0xFFFFFFFDu;

struct Outcome {
  uint32_t vector = FUZZ_END;  // FUZZ_END, an exception vector, FUZZ_TIMEOUT or kStopped
  uint32_t error_code = 0;
  fuzz_state state{};          // the 32-bit FXSAVE layout; eip = the end or the exception's report
  std::vector<uint8_t> data;   // the data area
  std::string note;            // why a side stopped (kStopped), for the report
};

// One line per difference ("eax: 0x1 vs 0x2"), empty when the outcomes
// agree on everything compared (compare.cpp says what is not, and why).
std::vector<std::string> compare(const Outcome& native, const Outcome& other);

// The name of the first differing field of a compare() line ("eax", "st3").
std::string field_of(const std::string& line);

// The state as text: registers, EFLAGS, x87 and SSE (for reports).
std::string describe(const fuzz_state& s);

}  // namespace bt86::fuzz
