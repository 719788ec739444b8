// Legacy instructions that 64-bit mode lacks (bt86 cannot copy them): BCD
// and ASCII adjustments, salc, bound, into, arpl, les/lds/lfs, enter/leave,
// xlat, and the exception makers int3 and ud2.
#include <Zydis/Zydis.h>

#include <stdexcept>

#include "families.h"

namespace bt86::fuzz {

using namespace asmjit;
namespace I = x86::Inst;

namespace {

void adjust(GenContext& g) {
  if (g.chance(50)) g.emit(g.pick({I::kIdAdd, I::kIdSub, I::kIdAdc, I::kIdSbb}), {x86::al, g.gp(1)});
  switch (g.below(6)) {
    case 0: g.emit(I::kIdDaa, {x86::al}); break;
    case 1: g.emit(I::kIdDas, {x86::al}); break;
    case 2: g.emit(I::kIdAaa, {x86::ax}); break;
    case 3: g.emit(I::kIdAas, {x86::ax}); break;
    case 4: g.emit(I::kIdAam, {x86::ax, Imm(g.chance(50) ? 10 : g.chance(97) ? 1 + g.below(255) : 0)}); break;
    default: g.emit(I::kIdAad, {x86::ax, Imm(g.chance(50) ? 10 : g.below(256))});
  }
}

// AsmJit has no salc: Zydis's encoder makes it.
void salc(GenContext& g) {
  ZydisEncoderRequest req{};
  req.machine_mode = ZYDIS_MACHINE_MODE_LEGACY_32;
  req.mnemonic = ZYDIS_MNEMONIC_SALC;
  uint8_t buf[ZYDIS_MAX_INSTRUCTION_LENGTH];
  ZyanUSize len = sizeof buf;
  if (!ZYAN_SUCCESS(ZydisEncoderEncodeInstruction(&req, buf, &len))) throw std::runtime_error("Zydis cannot encode salc");
  g.emit_raw({buf, buf + len});
}

// Mostly in bounds (a #BR ends the case): the bounds and the index set up.
void bound(GenContext& g) {
  unsigned size = g.pick({2u, 4u});
  x86::Gp r = g.gp_sized_like(g.gp32(), size);
  x86::Mem m = g.mem(2 * size, bit(r));
  if (g.chance(95)) {
    int32_t lo = g.interesting32(), hi = g.interesting32(), v = g.interesting32();
    if (size == 2) lo = static_cast<int16_t>(lo), hi = static_cast<int16_t>(hi), v = static_cast<int16_t>(v);
    if (lo > hi) std::swap(lo, hi);
    const uint64_t range = static_cast<uint64_t>(int64_t{hi} - lo) + 1;
    if (g.chance(95)) v = static_cast<int32_t>(lo + static_cast<int64_t>(g.u64() % range));
    x86::Mem lower = m, upper = m.cloneAdjusted(size);
    lower.setSize(size);
    upper.setSize(size);
    g.emit(I::kIdMov, {lower, Imm(lo)});
    g.emit(I::kIdMov, {upper, Imm(hi)});
    g.emit(I::kIdMov, {x86::gpd(r.id()), Imm(v)});
  }
  g.emit(I::kIdBound, {r, m});
}

void into(GenContext& g) {
  if (g.chance(60)) g.emit(I::kIdAdd, {g.gp(1), Imm(static_cast<int8_t>(g.u32()))});  // OF from a known add
  g.emit(I::kIdInto, {});
}

void arpl(GenContext& g) { g.emit(I::kIdArpl, {reg_or_mem(g, 2), g.gp(2)}); }

// A far pointer with a null selector (valid in ES/DS/FS at any CPL, and the
// same on both sides), then DS and ES reloaded from SS and the scratch
// register overwritten (selector values differ between bt86 and Linux).
void far_pointer(GenContext& g) {
  InstId id = g.pick({I::kIdLes, I::kIdLds, I::kIdLfs});
  unsigned size = g.pick({2u, 4u});
  x86::Gp r = g.gp_sized_like(g.gp32(), size);
  x86::Mem m = g.mem(size + 2, bit(r));
  x86::Mem selector = m.cloneAdjusted(size);
  selector.setSize(2);
  g.emit(I::kIdMov, {selector, Imm(0)});
  g.emit(id, {r, m});
  if (id == I::kIdLfs) return;
  x86::Gp scratch = g.gp32();
  g.emit(I::kIdMov, {x86::gpw(scratch.id()), x86::ss});
  g.emit(I::kIdMov, {id == I::kIdLes ? x86::SReg(x86::es) : x86::SReg(x86::ds), x86::gpw(scratch.id())});
  g.emit(I::kIdMov, {scratch, Imm(g.interesting32())});
}

// enter (nesting levels copy frame pointers from [ebp-4n]) ... leave; with a
// 16-bit operand size (66 prefix) BP and words instead, and sometimes no
// leave, so that what enter leaves in EBP's upper half is compared.
void enter_leave(GenContext& g) {
  uint32_t frame = 4 * g.below(17), level = g.chance(50) ? 0 : g.below(5);
  if (level) g.point(x86::ebp, 32);
  if (g.chance(70)) {
    g.emit(I::kIdEnter, {Imm(frame), Imm(level)});
    if (g.chance(50)) g.emit(I::kIdMov, {x86::ptr(x86::ebp, -4 * static_cast<int>(1 + g.below(8)), 4), g.gp32()});
    g.emit(I::kIdLeave, {});
    return;
  }
  const int moved = 2 + 2 * static_cast<int>(level) + static_cast<int>(frame);
  const bool leave = g.chance(70);
  if (!leave && !g.stack_room(moved)) return;
  // leave sets ESP to EBP: with EBP's upper half clear, as ESP's is here.
  if (leave && !level) g.emit(I::kIdMovzx, {x86::ebp, x86::bp});
  g.emit_raw({0x66, 0xC8, static_cast<uint8_t>(frame), static_cast<uint8_t>(frame >> 8), static_cast<uint8_t>(level)},
             I::kIdEnter);
  if (!leave) {
    g.move_stack(-moved);
    return;
  }
  if (g.chance(50)) g.emit(I::kIdMov, {x86::ptr(x86::ebp, -2 * static_cast<int>(1 + g.below(8)), 2), g.gp(2)});
  g.emit_raw({0x66, 0xC9}, I::kIdLeave);
}

void xlat(GenContext& g) {
  g.point(x86::ebx, 256);
  g.emit(I::kIdXlatb, {});
}

void exception(GenContext& g) {
  if (g.chance(30)) g.emit(g.pick({I::kIdInt3, I::kIdUd2}), {});
}

constexpr Gen kGens[] = {
    {"adjust", 12, adjust},   {"salc", 3, salc},         {"bound", 4, bound},
    {"into", 1, into},        {"arpl", 4, arpl},         {"far_pointer", 3, far_pointer},
    {"enter_leave", 4, enter_leave}, {"xlat", 3, xlat}, {"exception", 1, exception},
};

}  // namespace

std::span<const Gen> legacy_gens() { return kGens; }

}  // namespace bt86::fuzz
