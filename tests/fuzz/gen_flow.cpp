// Stack, flags, string instructions, call/ret (32- and 16-bit) and loops:
// the instructions bt86 expands instead of copying.
#include "families.h"

namespace bt86::fuzz {

using namespace asmjit;
namespace I = x86::Inst;

namespace {

void push_pop(GenContext& g) {
  unsigned size = g.chance(80) ? 4 : 2;
  if (g.chance(50) && g.stack_room(static_cast<int>(size))) {
    switch (g.below(3)) {
      case 0: g.emit(I::kIdPush, {g.chance(10) ? (size == 4 ? x86::Gp(x86::esp) : x86::Gp(x86::sp)) : g.gp(size)}); break;
      case 1: g.emit(I::kIdPush, {g.mem(size)}); break;
      default:
        size = 4;
        g.emit(I::kIdPush, {Imm(g.interesting32())});
    }
    g.move_stack(-static_cast<int>(size));
  } else if (g.stack_room(static_cast<int>(size))) {
    // pop [esp+d] addresses with ESP after the pop.
    g.emit(I::kIdPop, {g.chance(60) ? Operand(g.gp(size)) : Operand(g.mem(size))});
    g.move_stack(static_cast<int>(size));
  }
}

void push_all(GenContext& g) {
  if (!g.stack_room(64)) return;
  bool wide = g.chance(75);
  g.emit(wide ? I::kIdPushad : I::kIdPusha, {});
  if (g.chance(70)) {
    g.emit(wide ? I::kIdPopad : I::kIdPopa, {});  // loads junk into every register but ESP
  } else {
    g.move_stack(wide ? -32 : -16);
  }
}

// EFLAGS through the stack: pushfd shows the virtual bits too (IF, IOPL,
// ID); popfd gets arithmetic flags, DF and ID, with IF set as it is natively
// at CPL 3 (where popfd cannot change it).
void flags(GenContext& g) {
  switch (g.below(4)) {
    case 0:
      g.emit(g.pick({I::kIdClc, I::kIdStc, I::kIdCmc, I::kIdCld, I::kIdStd}), {});
      break;
    case 1: g.emit(g.pick({I::kIdLahf, I::kIdSahf}), {x86::ah}); break;
    case 2:
      if (!g.stack_room(4)) return;
      g.emit(I::kIdPushfd, {});
      g.emit(I::kIdPop, {g.gp32()});
      break;
    default: {
      if (!g.stack_room(4)) return;
      uint32_t v = (g.u32() & (0x0CD5u | (g.chance(20) ? 1u << 21 : 0))) | 0x202;
      g.emit(I::kIdPush, {Imm(static_cast<int32_t>(v))});
      g.emit(I::kIdPopfd, {});
    }
  }
}

// movs/stos/lods/cmps/scas with and without rep, 32- or 16-bit addressing
// (SI/DI/CX with junk in their upper halves), DF as the state has it.
void strings(GenContext& g) {
  static const InstId ids[] = {I::kIdMovs, I::kIdStos, I::kIdLods, I::kIdCmps, I::kIdScas};
  InstId id = ids[g.below(5)];
  unsigned size = g.pick({1u, 2u, 4u});
  bool addr16 = g.chance(25);
  InstOptions rep = InstOptions::kNone;
  if (g.chance(60)) {
    rep = (id == I::kIdCmps || id == I::kIdScas) && g.chance(50) ? InstOptions::kX86_Repne : InstOptions::kX86_Rep;
    uint32_t count = g.below(g.chance(90) ? 12 : 40);
    g.emit(I::kIdMov, {x86::ecx, Imm(addr16 ? (g.u32() & 0xFFFF0000) | count : count)});
  }
  const uint32_t span = 48 * 4 + 8;
  auto pointer = [&](const x86::Gp& r) {
    if (!addr16) return g.point(r, span);
    uint32_t off = span + g.below(kOperandEnd - 2 * span);
    g.emit(I::kIdMov, {r, Imm((g.u32() & 0xFFFF0000) | (FUZZ_DATA_BASE + off))});
  };
  const x86::Gp si = addr16 ? x86::Gp(x86::si) : x86::Gp(x86::esi);
  const x86::Gp di = addr16 ? x86::Gp(x86::di) : x86::Gp(x86::edi);
  const bool uses_si = id == I::kIdMovs || id == I::kIdLods || id == I::kIdCmps;
  const bool uses_di = id != I::kIdLods;
  if (uses_si) pointer(x86::esi);
  if (uses_di) pointer(x86::edi);
  x86::Gp acc = size == 1 ? x86::Gp(x86::al) : size == 2 ? x86::Gp(x86::ax) : x86::Gp(x86::eax);
  x86::Mem src = x86::ptr(si, 0, size), dst = x86::ptr(di, 0, size);
  // movs and cmps allow a segment override on the source (ds here).
  if (uses_si && g.chance(15)) src.setSegment(g.pick({x86::ds, x86::ss}));
  switch (id) {
    case I::kIdMovs: g.emit(id, {dst, src}, rep); break;
    case I::kIdCmps: g.emit(id, {src, dst}, rep); break;
    case I::kIdStos: g.emit(id, {dst, acc}, rep); break;
    case I::kIdLods: g.emit(id, {acc, src}, rep); break;
    default: g.emit(id, {acc, dst}, rep);
  }
}

// call/ret through a local subroutine, directly or through a register or
// memory; ret n releases n more bytes.
void call_ret(GenContext& g) {
  uint16_t release = g.chance(25) ? static_cast<uint16_t>(4 * g.below(4)) : 0;
  if (!g.stack_room(4 + release)) return;
  int sub = g.new_local(), after = g.new_local();
  switch (g.below(3)) {
    case 0: g.emit_jump(I::kIdCall, sub); break;
    case 1: {
      x86::Gp r = g.gp32();
      g.emit_lea(r, sub);
      g.emit(I::kIdCall, {r});
      break;
    }
    default: {
      x86::Gp r = g.gp32();
      x86::Mem m = g.mem(4, bit(r));
      g.emit_lea(r, sub);
      g.emit(I::kIdMov, {m, r});
      g.emit(I::kIdCall, {m});
    }
  }
  g.emit_jump(I::kIdJmp, after);
  g.bind_next(sub);
  if (release) g.emit(I::kIdRet, {Imm(release)});
  else g.emit(I::kIdRet, {});
  g.move_stack(release);
}

// A trampoline in the data area, below 64 KiB where 16-bit near transfers
// land (they truncate EIP to 16 bits): `jmp [t+6]`, and at t+6 the address
// of local label `back`. Returns t.
uint32_t trampoline(GenContext& g, int back) {
  const uint32_t t = FUZZ_DATA_BASE + kTrampolines + 16 * g.below(kTrampolineSlots);
  const x86::Gp r = g.gp32();
  g.emit_lea(r, back);
  g.emit(I::kIdMov, {x86::ptr(uint64_t{t + 6}, 4), r});
  g.emit(I::kIdMov, {x86::ptr(uint64_t{t}, 4), Imm(0x25FF | (t + 6) << 16)});  // FF 25 disp32
  g.emit(I::kIdMov, {x86::ptr(uint64_t{t + 4}, 2), Imm((t + 6) >> 16)});
  return t;
}

// Near call, jmp and ret with a 16-bit operand size (66 prefix) in 32-bit
// code: call rel16 and jmp rel16 wrap IP, call pushes IP (2 bytes), ret
// pops it (and releases n more), call/jmp r/m16 ignore the upper half.
// In 16-bit code (g.code16) they are the prefix-free forms, and EIPs are
// small: they go straight to `back` instead of through a trampoline.
void near16(GenContext& g) {
  const uint16_t release = g.chance(30) ? static_cast<uint16_t>(4 * g.below(3)) : 0;
  if (!g.stack_room(2 + release)) return;
  const int back = g.new_local();
  const uint32_t t = g.code16 ? 0 : trampoline(g, back);
  const auto lo = static_cast<uint8_t>(t), hi = static_cast<uint8_t>(t >> 8);
  const x86::Gp r = g.gp32();
  // r = where to go, junk in its upper half (code16: the label's IP)
  auto target_in = [&](const x86::Gp& reg) {
    if (!g.code16) return g.emit(I::kIdMov, {reg, Imm((g.u32() & 0xFFFF0000) | t)});
    g.emit_lea(reg, back);
    g.emit(I::kIdOr, {reg, Imm(static_cast<int32_t>(g.u32() & 0xFFFF0000))});
  };
  bool pushes = true;
  switch (g.below(5)) {
    case 0:
    case 1: {
      pushes = g.chance(50);
      const uint8_t op = pushes ? 0xE8 : 0xE9;
      const InstId id = pushes ? I::kIdCall : I::kIdJmp;
      if (g.code16) g.emit_rel16_local({0x66, op}, back, id);
      else g.emit_rel16({0x66, op}, t, id);
      break;
    }
    case 2:  // call/jmp r16, junk in the upper half
      pushes = g.chance(70);
      target_in(r);
      g.emit_raw({0x66, 0xFF, static_cast<uint8_t>((pushes ? 0xD0 : 0xE0) | r.id())}, pushes ? I::kIdCall : I::kIdJmp);
      break;
    case 3: {  // call m16
      const uint32_t m = FUZZ_DATA_BASE + 16 + g.below(kOperandEnd - 32);
      target_in(r);
      g.emit(I::kIdMov, {x86::ptr(uint64_t{m}, 2), r.r16()});
      g.emit_raw({0x66, 0xFF, 0x15, static_cast<uint8_t>(m), static_cast<uint8_t>(m >> 8), 0, 0}, I::kIdCall);
      break;
    }
    default:  // ret / ret n: push the junk it releases, then IP
      for (unsigned i = 0; i < release / 4u; ++i) g.emit(I::kIdPush, {Imm(g.interesting32())});
      if (g.code16) {
        target_in(r);
        g.emit(I::kIdPush, {r.r16()});
      } else {
        g.emit_raw({0x66, 0x68, lo, hi}, I::kIdPush);
      }
      if (release) g.emit_raw({0x66, 0xC2, static_cast<uint8_t>(release), 0}, I::kIdRet);
      else g.emit_raw({0x66, 0xC3}, I::kIdRet);
      pushes = false;
  }
  g.bind_next(back);
  if (pushes) g.emit(I::kIdLea, {x86::esp, x86::ptr(x86::esp, 2)});  // drop the pushed IP (it stays in memory)
}

// loop/loope/loopne/jecxz around a one-instruction body that leaves ECX alone.
void loops(GenContext& g) {
  InstId id = g.pick({I::kIdLoop, I::kIdLoope, I::kIdLoopne, I::kIdJecxz});
  uint32_t count = id == I::kIdJecxz ? g.below(2) : 1 + g.below(6);
  g.emit(I::kIdMov, {x86::ecx, Imm(count)});
  int top = g.new_local(), out = g.new_local();
  g.bind_next(top);
  x86::Gp r = g.gp32();
  while (r.id() == x86::Gp::kIdCx) r = g.gp32();
  g.emit(g.pick({I::kIdAdd, I::kIdXor, I::kIdSub, I::kIdRol}), {r, Imm(g.below(4))});
  if (id == I::kIdJecxz) {
    g.emit_jump(id, out);
    g.emit(I::kIdDec, {x86::ecx});
    g.emit_jump(I::kIdJmp, top);
  } else {
    g.emit_jump(id, top);
  }
  g.bind_next(out);
}

constexpr Gen kGens[] = {
    {"push_pop", 14, push_pop}, {"push_all", 3, push_all}, {"flags", 8, flags},
    {"strings", 14, strings},   {"call_ret", 4, call_ret}, {"loops", 4, loops},
    {"near16", 3, near16},
};

}  // namespace

std::span<const Gen> flow_gens() { return kGens; }

}  // namespace bt86::fuzz
