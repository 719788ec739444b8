// A generated test program: units of one or a few instructions, kept as
// AsmJit instructions (not bytes) so that the shrinker can drop units and
// assemble the rest again with every jump still landing on a unit boundary.
#pragma once
#include <asmjit/x86.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bt86::fuzz {

inline constexpr int kNoJump = -1, kJumpToEnd = -2;

struct Item {
  asmjit::InstId id = asmjit::x86::Inst::kIdNone;  // with raw: the instruction the bytes are
  std::vector<asmjit::Operand> ops;
  asmjit::InstOptions options = asmjit::InstOptions::kNone;  // rep/repne
  int jump_to = kNoJump;       // a jump: operand 0 is the label of this unit id (or the end)
  int jump_local = -1;         // a jump within the unit: operand 0 is local label n
  int lea_local = -1;          // lea: operand 1 is [local label n]
  int bind_local = -1;         // local label n is bound before this item
  std::vector<uint8_t> raw;    // bytes from Zydis's encoder (what AsmJit lacks)
  // With raw, a 16-bit branch opcode (66 E8, 66 E9): its rel16 to this
  // absolute address follows, computed where the item lands.
  std::optional<uint32_t> rel16_target;
  // With raw, in 16-bit code: a rel16 to local label n follows instead.
  int rel16_local = -1;
};

struct Unit {
  int id = 0;                // stable across shrinking (jump targets)
  std::vector<Item> items;   // setup (pointer registers) first, then the instruction
  int locals = 0;            // local labels (bound by items; unbound ones at the unit's end)
  int stack_delta = 0;       // bytes ESP moves by (pushes negative)
};

struct Program {
  std::vector<Unit> units;
};

struct Assembled {
  std::vector<uint8_t> code;  // ends with hlt
  uint32_t end_eip = 0;       // address of that hlt
  std::vector<uint32_t> starts;  // address of every instruction, the final hlt excluded

  // Instructions before `eip` (all of them for the end): what a run that
  // stopped there executed, if no jump skipped any.
  uint64_t reached(uint32_t eip) const;
};

// Assembles the units with keep[i] set (all when keep is empty) at address
// `base`; throws std::runtime_error naming the instruction AsmJit refuses.
// code16: for a 16-bit code segment (base is then an IP), every
// instruction keeping its meaning: its operand- and address-size prefixes
// (0x66, 0x67) toggled (code16.cpp).
Assembled assemble(const Program& p, uint32_t base, const std::vector<bool>& keep = {}, bool code16 = false);

// One line per instruction ("00100004  01 c8  add eax, ecx"), decoded as
// 16-bit code with code16.
std::string listing(const std::vector<uint8_t>& code, uint32_t base, bool code16 = false);

}  // namespace bt86::fuzz
