// A test case: a random program and the random machine state it starts
// from, both a pure function of (seed, index) so any case can be rebuilt.
#pragma once
#include <cstdint>
#include <vector>

#include "fuzz_abi.h"
#include "program.h"

namespace bt86::fuzz {

struct Case {
  uint64_t seed = 0;
  uint64_t index = 0;
  Program program;
  uint32_t code_offset = 0;    // where in its slot the code starts
  fuzz_state state{};          // eip is filled in per run (the code slot)
  std::vector<uint8_t> data;   // FUZZ_DATA_SIZE bytes
};

struct GeneratorOptions {
  unsigned min_units = 16;
  unsigned max_units = 48;
  bool x87 = true;
  bool sse = true;
  // For a 16-bit code segment (FUZZ_MODE_PM16 and the like; program.h's
  // assemble with code16): GenContext::code16 is set.
  bool code16 = false;
  // Units with any of these instructions are drawn again (what a side
  // cannot run, e.g. a KVM emulator's gaps).
  std::vector<asmjit::InstId> excluded;
};

Case generate(uint64_t seed, uint64_t index, const GeneratorOptions& options = {});

// The initial registers, EFLAGS, x87/SSE state and data area (random_state.cpp).
void random_state(uint64_t seed, fuzz_state& state, std::vector<uint8_t>& data);

}  // namespace bt86::fuzz
