// Integer families: the ALU, shifts and rotates, multiply and divide, bit
// instructions, moves and conversions, in 8-, 16- and 32-bit forms.
#include "families.h"

namespace bt86::fuzz {

using namespace asmjit;
namespace I = x86::Inst;

Operand reg_or_mem(GenContext& g, unsigned size, uint32_t avoid) {
  if (g.chance(50)) return g.gp(size);
  return g.mem(size, avoid);
}

namespace {

unsigned size124(GenContext& g) { return g.pick({1u, 2u, 4u, 4u}); }

Imm imm_of(GenContext& g, unsigned size) {
  uint32_t v = static_cast<uint32_t>(g.interesting32());
  if (size == 1) return Imm(static_cast<int8_t>(v));
  if (size == 2) return Imm(static_cast<int16_t>(v));
  return Imm(static_cast<int32_t>(v));
}

void alu(GenContext& g) {
  InstId id = g.pick({I::kIdAdd, I::kIdOr, I::kIdAdc, I::kIdSbb, I::kIdAnd, I::kIdSub, I::kIdXor,
                      I::kIdCmp, I::kIdTest});
  unsigned size = size124(g);
  x86::Gp r = g.gp(size);
  const bool lockable = id != I::kIdCmp && id != I::kIdTest;
  switch (g.below(5)) {
    case 0: g.emit(id, {r, g.gp(size)}); break;
    case 1: g.emit(id, {g.mem(size), r}, lockable ? g.maybe_lock() : InstOptions::kNone); break;
    case 2: g.emit(id, {r, imm_of(g, size)}); break;
    case 3: g.emit(id, {g.mem(size), imm_of(g, size)}, lockable ? g.maybe_lock() : InstOptions::kNone); break;
    default:  // test has no r, m form: emit it as m, r
      if (id == I::kIdTest) g.emit(id, {g.mem(size), r});
      else g.emit(id, {r, g.mem(size)});
  }
}

void unary(GenContext& g) {
  InstId id = g.pick({I::kIdInc, I::kIdDec, I::kIdNeg, I::kIdNot});
  Operand dst = reg_or_mem(g, size124(g));
  g.emit(id, {dst}, dst.isMem() ? g.maybe_lock() : InstOptions::kNone);
}

void shift(GenContext& g) {
  InstId id = g.pick({I::kIdRol, I::kIdRor, I::kIdRcl, I::kIdRcr, I::kIdShl, I::kIdShr, I::kIdSar});
  unsigned size = size124(g);
  switch (g.below(3)) {
    case 0: g.emit(id, {reg_or_mem(g, size), Imm(1)}); break;
    case 1: g.emit(id, {reg_or_mem(g, size), Imm(g.chance(70) ? g.below(33) : g.below(256))}); break;
    default:
      if (g.chance(60)) g.emit(I::kIdMov, {x86::cl, Imm(g.below(g.chance(80) ? 34 : 256))});
      g.emit(id, {reg_or_mem(g, size, bit(x86::ecx)), x86::cl});
  }
}

void double_shift(GenContext& g) {
  InstId id = g.pick({I::kIdShld, I::kIdShrd});
  unsigned size = g.pick({2u, 4u});
  Operand dst = reg_or_mem(g, size, bit(x86::ecx));
  if (g.chance(50)) {
    g.emit(id, {dst, g.gp(size), Imm(g.below(g.chance(80) ? 33 : 256))});
  } else {
    if (g.chance(60)) g.emit(I::kIdMov, {x86::cl, Imm(g.below(34))});
    g.emit(id, {dst, g.gp(size), x86::cl});
  }
}

// The implicit accumulator pair of a one-operand mul/imul/div/idiv.
void emit_acc(GenContext& g, InstId id, unsigned size, const Operand& src) {
  if (size == 1) g.emit(id, {x86::ax, src});
  else if (size == 2) g.emit(id, {x86::dx, x86::ax, src});
  else g.emit(id, {x86::edx, x86::eax, src});
}

void multiply(GenContext& g) {
  unsigned size = size124(g);
  switch (g.below(3)) {
    case 0: emit_acc(g, g.pick({I::kIdMul, I::kIdImul}), size, reg_or_mem(g, size)); break;
    case 1:
      size = g.pick({2u, 4u});
      g.emit(I::kIdImul, {g.gp(size), reg_or_mem(g, size)});
      break;
    default:
      size = g.pick({2u, 4u});
      g.emit(I::kIdImul, {g.gp(size), reg_or_mem(g, size), imm_of(g, size)});
  }
}

// Mostly divisions that do not fault (a #DE ends the case early): a known
// divisor and a high half below it (div) or the sign of the low half (idiv).
void divide(GenContext& g) {
  unsigned size = size124(g);
  bool is_signed = g.chance(50);
  InstId id = is_signed ? I::kIdIdiv : I::kIdDiv;
  const uint32_t acc = bit(x86::eax) | bit(x86::edx);
  Operand src;
  uint32_t divisor = 0;
  if (g.chance(95)) {
    divisor = static_cast<uint32_t>(g.interesting32()) & (size == 4 ? ~0u : (1u << 8 * size) - 1);
    if (!divisor) divisor = 3;
    if (g.chance(50)) {
      x86::Gp r = g.gp_sized_like(g.gp32(), size);
      while (acc & bit(r)) r = g.gp_sized_like(g.gp32(), size);
      g.emit(I::kIdMov, {x86::gpd(r.id()), Imm(divisor)});
      src = r;
    } else {
      x86::Mem m = g.mem(size, acc);
      g.emit(I::kIdMov, {m, Imm(divisor)});
      src = m;
    }
    if (is_signed) {
      if (size == 1) g.emit(I::kIdCbw, {x86::ax});
      else if (size == 2) g.emit(I::kIdCwd, {x86::dx, x86::ax});
      else g.emit(I::kIdCdq, {x86::edx, x86::eax});
    } else {
      uint32_t high = g.u32() % divisor;
      g.emit(I::kIdMov, {size == 1 ? x86::Gp(x86::ah) : size == 2 ? x86::Gp(x86::dx) : x86::Gp(x86::edx), Imm(high)});
    }
  } else {
    src = reg_or_mem(g, size);  // whatever happens: #DE is fine too
  }
  emit_acc(g, id, size, src);
}

void bits(GenContext& g) {
  InstId id = g.pick({I::kIdBt, I::kIdBts, I::kIdBtr, I::kIdBtc});
  unsigned size = g.pick({2u, 4u});
  switch (g.below(4)) {
    case 0: g.emit(id, {reg_or_mem(g, size), Imm(g.below(256))}); break;
    case 1: g.emit(id, {g.gp(size), g.gp(size)}); break;
    default: {
      // A register bit offset reaches beyond the operand: keep it within
      // a few hundred bytes of a memory operand that has that much room.
      x86::Gp off = g.gp_sized_like(g.gp32(), size);
      x86::Mem m = g.mem(size, bit(off), 300);
      g.emit(I::kIdMov, {x86::gpd(off.id()), Imm(static_cast<int32_t>(g.below(4000)) - 2000)});
      g.emit(id, {m, off}, id != I::kIdBt ? g.maybe_lock() : InstOptions::kNone);
    }
  }
}

void scan_swap(GenContext& g) {
  unsigned size = g.pick({2u, 4u});
  switch (g.below(3)) {
    case 0: g.emit(g.pick({I::kIdBsf, I::kIdBsr}), {g.gp(size), reg_or_mem(g, size)}); break;
    case 1: g.emit(I::kIdBswap, {g.gp32()}); break;
    default: {
      const uint32_t v = g.chance(50) ? 0u : static_cast<uint32_t>(g.interesting32());
      x86::Gp r = g.gp32();
      g.emit(I::kIdMov, {r, Imm(v)});  // bsf/bsr of 0 keep the destination
      g.emit(g.pick({I::kIdBsf, I::kIdBsr}), {g.gp(size), g.gp_sized_like(r, size)});
    }
  }
}

void conditional(GenContext& g) {
  if (g.chance(50)) {
    static const InstId setcc[] = {I::kIdSeto, I::kIdSetno, I::kIdSetb, I::kIdSetnb, I::kIdSetz, I::kIdSetnz,
                                   I::kIdSetbe, I::kIdSetnbe, I::kIdSets, I::kIdSetns, I::kIdSetp, I::kIdSetnp,
                                   I::kIdSetl, I::kIdSetnl, I::kIdSetle, I::kIdSetnle};
    g.emit(setcc[g.below(16)], {reg_or_mem(g, 1)});
  } else {
    static const InstId cmov[] = {I::kIdCmovo, I::kIdCmovno, I::kIdCmovb, I::kIdCmovnb, I::kIdCmovz,
                                  I::kIdCmovnz, I::kIdCmovbe, I::kIdCmovnbe, I::kIdCmovs, I::kIdCmovns,
                                  I::kIdCmovp, I::kIdCmovnp, I::kIdCmovl, I::kIdCmovnl, I::kIdCmovle,
                                  I::kIdCmovnle};
    unsigned size = g.pick({2u, 4u});
    g.emit(cmov[g.below(16)], {g.gp(size), reg_or_mem(g, size)});
  }
}

void moves(GenContext& g) {
  unsigned size = size124(g);
  switch (g.below(7)) {
    case 0: g.emit(I::kIdMov, {g.gp(size), reg_or_mem(g, size)}); break;
    case 1: g.emit(I::kIdMov, {g.mem(size), g.chance(50) ? Operand(g.gp(size)) : Operand(imm_of(g, size))}); break;
    case 2: {
      unsigned from = g.pick({1u, 2u}), to = from == 1 ? g.pick({2u, 4u}) : 4u;
      g.emit(g.pick({I::kIdMovzx, I::kIdMovsx}), {g.gp(to), reg_or_mem(g, from)});
      break;
    }
    case 3: g.emit(I::kIdXchg, {reg_or_mem(g, size), g.gp(size)}); break;
    case 4: {
      Operand dst = reg_or_mem(g, size);
      g.emit(g.pick({I::kIdXadd, I::kIdCmpxchg}), {dst, g.gp(size)}, dst.isMem() ? g.maybe_lock() : InstOptions::kNone);
      break;
    }
    case 5:
      if (g.chance(50)) g.emit(I::kIdCbw, {x86::ax});
      else if (g.chance(50)) g.emit(I::kIdCwde, {x86::eax});
      else if (g.chance(50)) g.emit(I::kIdCwd, {x86::dx, x86::ax});
      else g.emit(I::kIdCdq, {x86::edx, x86::eax});
      break;
    default: g.emit(I::kIdCmpxchg8b, {g.mem(8), x86::edx, x86::eax, x86::ecx, x86::ebx}, g.maybe_lock());
  }
}

// movzx/movsx into ESP or SP (from a high byte too, which bt86 cannot
// encode with ESP's host register): ESP is saved in one register, the
// result copied to another, and ESP restored.
void esp_extend(GenContext& g) {
  const x86::Gp save = g.gp32();
  x86::Gp result = g.gp32();
  while (result.id() == save.id()) result = g.gp32();
  const unsigned from = g.pick({1u, 2u});
  const bool to16 = from == 1 && g.chance(30);
  g.emit(I::kIdMov, {save, x86::esp});
  g.emit(g.pick({I::kIdMovzx, I::kIdMovsx}), {to16 ? x86::Gp(x86::sp) : x86::Gp(x86::esp), g.gp(from)});
  g.emit(I::kIdMov, {result, x86::esp});
  g.emit(I::kIdMov, {x86::esp, save});
}

// lea computes without touching memory: any registers, any address size.
void lea(GenContext& g) {
  unsigned size = g.pick({2u, 4u});
  int32_t disp = g.chance(30) ? 0 : g.interesting32();
  x86::Mem m;
  if (g.chance(20)) {
    m = x86::ptr(g.pick({x86::bx, x86::bp}), g.pick({x86::si, x86::di}), 0, static_cast<int16_t>(disp));
  } else {
    x86::Gp index = g.gp32();
    m = g.chance(30) ? x86::ptr(g.chance(20) ? x86::Gp(x86::esp) : g.gp32(), disp)
                     : x86::ptr(g.chance(20) ? x86::Gp(x86::esp) : g.gp32(), index, g.below(4), disp);
  }
  g.emit(I::kIdLea, {g.gp(size), m});
}

constexpr Gen kGens[] = {
    {"alu", 30, alu},          {"unary", 8, unary},          {"shift", 14, shift},
    {"double_shift", 5, double_shift}, {"multiply", 6, multiply}, {"divide", 5, divide},
    {"bits", 8, bits},         {"scan_swap", 4, scan_swap},   {"conditional", 8, conditional},
    {"moves", 14, moves},      {"lea", 5, lea},               {"esp_extend", 2, esp_extend},
};

}  // namespace

std::span<const Gen> integer_gens() { return kGens; }

}  // namespace bt86::fuzz
