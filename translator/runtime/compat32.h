// Runs a legacy instruction that has no 64-bit encoding (daa, das, aaa, aas,
// aam, aad, salc) natively on the host CPU, in a 32-bit compatibility-mode
// code segment of our own process. The host CPU is the oracle: results and
// the architecturally undefined flags are exactly what real hardware does.
#pragma once
#include <cstdint>
#include <span>

namespace bt86 {

class Compat32 {
public:
  Compat32();
  ~Compat32();
  Compat32(const Compat32&) = delete;
  Compat32& operator=(const Compat32&) = delete;

  struct Result {
    uint32_t eax;
    uint32_t eflags;  // arithmetic flags after the instruction
  };
  // insn: the instruction's bytes (at most 8, no memory operand, no stack use).
  Result run(std::span<const uint8_t> insn, uint32_t eax, uint32_t eflags);

private:
  uint8_t* page_ = nullptr;
  using EntryFn = uint64_t (*)(uint64_t eax, uint64_t rflags);
  EntryFn entry_ = nullptr;
};

}  // namespace bt86
