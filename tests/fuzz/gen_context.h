// What every instruction family's generator uses: the random source, the
// unit being built, registers, memory operands that always land in the data
// area (with the instructions that set their registers up), and the stack
// budget that keeps ESP inside the data area whatever the shrinker drops.
#pragma once
#include <asmjit/x86.h>

#include <cstdint>
#include <random>

#include "fuzz_abi.h"
#include "program.h"

namespace bt86::fuzz {

// Offsets into the data area: memory operands land in [0, kOperandEnd);
// the stack starts at kStackStart and moves at most kStackBudget either way.
inline constexpr uint32_t kOperandEnd = 0x3E00;
inline constexpr uint32_t kStackStart = 0x3000;
inline constexpr int kStackBudget = 0x800;
// Past the operands: 16-byte slots for code that 16-bit near transfers
// (which truncate EIP to 16 bits) reach, below 64 KiB.
inline constexpr uint32_t kTrampolines = kOperandEnd;
inline constexpr uint32_t kTrampolineSlots = (FUZZ_DATA_SIZE - kTrampolines) / 16;

class GenContext {
public:
  explicit GenContext(uint64_t seed, bool for_code16 = false) : code16(for_code16), rng_(seed) {}

  // The program runs in a 16-bit code segment (assemble's code16): EIPs
  // are small offsets, so 16-bit near transfers target labels directly.
  const bool code16;

  // ---- randomness
  uint32_t u32() { return static_cast<uint32_t>(rng_()); }
  uint64_t u64() { return rng_(); }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  // A lock prefix now and then (for read-modify-write forms with a memory destination).
  asmjit::InstOptions maybe_lock() { return chance(15) ? asmjit::InstOptions::kX86_Lock : asmjit::InstOptions::kNone; }
  int32_t interesting32();  // edge values (0, -1, 0x80000000, ...) or random
  template <class T>
  const T& pick(std::initializer_list<T> l) { return l.begin()[below(static_cast<uint32_t>(l.size()))]; }

  // ---- registers: 32-bit GPRs other than ESP, and their 16/8-bit parts
  asmjit::x86::Gp gp32();                  // eax..edi except esp
  asmjit::x86::Gp gp(unsigned size);       // size 1 (al..bh), 2, 4; never sp/esp
  asmjit::x86::Gp gp_sized_like(const asmjit::x86::Gp& r, unsigned size);

  // ---- the unit being built
  void begin();
  Unit finish();
  void emit(asmjit::InstId id, std::initializer_list<asmjit::Operand> ops,
            asmjit::InstOptions options = asmjit::InstOptions::kNone);
  // Bytes AsmJit cannot make; `encodes` names the instruction they are, so
  // that GeneratorOptions::excluded leaves them out too.
  void emit_raw(std::vector<uint8_t> bytes, asmjit::InstId encodes = asmjit::x86::Inst::kIdNone);
  // A 16-bit branch (opcode bytes 66 E8 or 66 E9) to an absolute address.
  void emit_rel16(std::vector<uint8_t> opcode, uint32_t target, asmjit::InstId encodes);
  // The same to local label n (16-bit code only).
  void emit_rel16_local(std::vector<uint8_t> opcode, int local, asmjit::InstId encodes);
  // Labels inside the unit: jumps to them, and binding before the next item.
  int new_local() { return unit_.locals++; }
  void bind_next(int local) { bind_next_ = local; }
  void emit_jump(asmjit::InstId id, int local);
  void emit_lea(const asmjit::x86::Gp& r, int local);  // r = the local label's address
  void move_stack(int delta) { unit_.stack_delta += delta; }
  // Room for a unit that moves ESP by delta, within the whole program's budget.
  bool stack_room(int bytes) const { return stack_used_ + bytes <= kStackBudget; }

  // A memory operand of `size` bytes (0: unsized) inside the data area, with
  // `span` bytes of the area on both sides (except [esp+d], always well
  // inside: ESP stays within kStackBudget of kStackStart); may
  // emit setup instructions (mov reg, imm) for its base/index registers, and
  // never uses a register in `avoid` (a mask of GPR ids) for them.
  // align: the address is a multiple of it (SSE's aligned operands).
  asmjit::x86::Mem mem(unsigned size, uint32_t avoid = 0, uint32_t span = 16, uint32_t align = 0);
  // Sets register r to point at a random place in the data area with room
  // for `span` bytes either side.
  void point(const asmjit::x86::Gp& r, uint32_t span);

private:
  asmjit::x86::Mem mem_abs(uint32_t size, uint32_t off);
  asmjit::x86::Mem mem_base(uint32_t size, uint32_t off, uint32_t avoid);
  asmjit::x86::Mem mem_index(uint32_t size, uint32_t off, uint32_t avoid);
  asmjit::x86::Mem mem_esp(uint32_t size);
  asmjit::x86::Mem mem_16bit(uint32_t size, uint32_t off, uint32_t avoid);
  asmjit::x86::Gp free_gp32(uint32_t avoid);

  std::mt19937_64 rng_;
  Unit unit_;
  int next_id_ = 0;
  int stack_used_ = 0;
  int bind_next_ = -1;
};

// GPR id of a register (0 = eax ... 7 = edi), as a bit for `avoid` masks.
inline uint32_t bit(const asmjit::x86::Gp& r) { return 1u << r.id(); }

}  // namespace bt86::fuzz
