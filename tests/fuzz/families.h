// The instruction families the generator draws from. Each generator adds
// one unit (setup instructions, then the instruction under test) to the
// GenContext; the tables give each a weight.
#pragma once
#include <span>

#include "gen_context.h"

namespace bt86::fuzz {

struct Gen {
  const char* name;
  unsigned weight;
  void (*fn)(GenContext&);
};

std::span<const Gen> integer_gens();  // gen_integer.cpp: ALU, shifts, mul/div, bits, moves
std::span<const Gen> flow_gens();     // gen_flow.cpp: stack, flags, strings, call/ret
std::span<const Gen> legacy_gens();   // gen_legacy.cpp: what 64-bit mode lacks
std::span<const Gen> x87_gens();      // gen_x87.cpp
std::span<const Gen> sse_gens();      // gen_sse.cpp: MMX, SSE, SSE2, SSE3

// A register or (with setup) a memory operand of `size` bytes.
asmjit::Operand reg_or_mem(GenContext& g, unsigned size, uint32_t avoid = 0);

}  // namespace bt86::fuzz
