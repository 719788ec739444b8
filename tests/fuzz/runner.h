// A side that runs cases: the native CPU or bt86. Each run uses one code
// slot (a fresh address: no side ever sees changed code at an
// address it has run before without knowing).
#pragma once
#include <cstdint>
#include <vector>

#include "outcome.h"

namespace bt86::fuzz {

struct Run {
  uint32_t slot;                    // which slot (see fuzz_abi.h)
  uint32_t code_addr;               // where in it the code goes (linear); execution starts there
  const std::vector<uint8_t>* code;
  uint32_t end_eip;                 // the final hlt (an IP in the 16-bit modes)
  const fuzz_state* state;          // eip ignored: execution starts at the slot
  const std::vector<uint8_t>* data;
  uint32_t mode = FUZZ_MODE_FLAT32;  // the 16-bit modes: CS.base is the slot, EIPs are offsets in it
};

inline uint32_t slot_address(uint32_t slot) { return FUZZ_CODE_BASE + slot * FUZZ_CODE_SLOT; }
inline uint32_t slot_of(uint32_t code_addr) { return (code_addr - FUZZ_CODE_BASE) / FUZZ_CODE_SLOT; }
// Where EIP 0 is: CS.base.
inline uint32_t code_base(uint32_t slot, uint32_t mode) { return mode == FUZZ_MODE_FLAT32 ? 0 : slot_address(slot); }

class Runner {
public:
  virtual ~Runner() = default;
  virtual const char* name() const = 0;
  virtual Outcome run(const Run& r) = 0;
};

}  // namespace bt86::fuzz
