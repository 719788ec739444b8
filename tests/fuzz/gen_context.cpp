#include "gen_context.h"

#include <utility>

namespace bt86::fuzz {

using namespace asmjit;

int32_t GenContext::interesting32() {
  static constexpr uint32_t edges[] = {0,          1,          2,          0x7F,       0x80,
                                       0xFF,       0x7FFF,     0x8000,     0xFFFF,     0x7FFFFFFF,
                                       0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0x80000001, 0x00010000};
  switch (below(4)) {
    case 0: return static_cast<int32_t>(edges[below(std::size(edges))]);
    case 1: return static_cast<int32_t>(below(256)) - 128;
    default: return static_cast<int32_t>(u32());
  }
}

x86::Gp GenContext::gp32() {
  unsigned id = below(7);
  if (id >= x86::Gp::kIdSp) ++id;
  return x86::gpd(id);
}

x86::Gp GenContext::gp(unsigned size) {
  if (size == 1) {
    unsigned id = below(8);  // al cl dl bl ah ch dh bh
    if (id < 4) return x86::gpb_lo(id);
    return x86::gpb_hi(id - 4);
  }
  x86::Gp r = gp32();
  if (size == 2) return x86::gpw(r.id());
  return r;
}

x86::Gp GenContext::gp_sized_like(const x86::Gp& r, unsigned size) {
  if (size == 4) return x86::gpd(r.id());
  if (size == 2) return x86::gpw(r.id());
  return x86::gpb_lo(r.id() < 4 ? r.id() : 0);
}

void GenContext::begin() { unit_ = Unit{next_id_++}; }

Unit GenContext::finish() {
  bind_next_ = -1;  // a label bound after the last item: assemble binds it at the unit's end
  stack_used_ += unit_.stack_delta < 0 ? -unit_.stack_delta : unit_.stack_delta;
  return std::move(unit_);
}

void GenContext::emit(InstId id, std::initializer_list<Operand> ops, InstOptions options) {
  Item it{id, std::vector<Operand>(ops), options};
  it.bind_local = std::exchange(bind_next_, -1);
  unit_.items.push_back(std::move(it));
}

void GenContext::emit_jump(InstId id, int local) {
  emit(id, {});
  unit_.items.back().jump_local = local;
}

void GenContext::emit_lea(const x86::Gp& r, int local) {
  emit(x86::Inst::kIdLea, {r});
  unit_.items.back().lea_local = local;
}

void GenContext::emit_raw(std::vector<uint8_t> bytes, InstId encodes) {
  Item it;
  it.id = encodes;
  it.raw = std::move(bytes);
  it.bind_local = std::exchange(bind_next_, -1);
  unit_.items.push_back(std::move(it));
}

void GenContext::emit_rel16(std::vector<uint8_t> opcode, uint32_t target, InstId encodes) {
  emit_raw(std::move(opcode), encodes);
  unit_.items.back().rel16_target = target;
}

void GenContext::emit_rel16_local(std::vector<uint8_t> opcode, int local, InstId encodes) {
  emit_raw(std::move(opcode), encodes);
  unit_.items.back().rel16_local = local;
}

x86::Gp GenContext::free_gp32(uint32_t avoid) {
  for (;;) {
    x86::Gp r = gp32();
    if (!(avoid & bit(r))) return r;
  }
}

void GenContext::point(const x86::Gp& r, uint32_t span) {
  uint32_t off = span + below(kOperandEnd - 2 * span);
  emit(x86::Inst::kIdMov, {x86::gpd(r.id()), Imm(FUZZ_DATA_BASE + off)});
}

x86::Mem GenContext::mem(unsigned size, uint32_t avoid, uint32_t span, uint32_t align) {
  uint32_t off = span + below(kOperandEnd - 2 * span);
  if (align) off &= ~(align - 1);
  else if (chance(30)) off &= ~(size ? size - 1 : 3u);  // naturally aligned now and then
  x86::Mem m;
  unsigned kind = below(10);
  if (align && kind == 7) kind = 8;  // ESP's alignment changes when the shrinker drops a push
  switch (kind) {
    case 0: case 1: m = mem_abs(size, off); break;
    case 2: case 3: case 4: m = mem_base(size, off, avoid); break;
    case 5: case 6: m = mem_index(size, off, avoid); break;
    case 7: m = mem_esp(size); break;
    default: m = mem_16bit(size, off, avoid); break;
  }
  // Redundant overrides of flat segments (bt86 strips them): ds, ss, es.
  if (chance(8)) m.setSegment(pick({x86::ds, x86::ss, x86::es}));
  return m;
}

x86::Mem GenContext::mem_abs(uint32_t size, uint32_t off) { return x86::ptr(uint64_t{FUZZ_DATA_BASE + off}, size); }

x86::Mem GenContext::mem_base(uint32_t size, uint32_t off, uint32_t avoid) {
  x86::Gp base = free_gp32(avoid);
  int32_t disp = pick({0, 1, 2}) == 0 ? 0 : chance(50) ? static_cast<int8_t>(u32()) : static_cast<int32_t>(u32());
  emit(x86::Inst::kIdMov, {base, Imm(FUZZ_DATA_BASE + off - static_cast<uint32_t>(disp))});
  return x86::ptr(base, disp, size);
}

x86::Mem GenContext::mem_index(uint32_t size, uint32_t off, uint32_t avoid) {
  x86::Gp base = free_gp32(avoid);
  x86::Gp index = free_gp32(avoid | bit(base));
  unsigned shift = below(4);
  // A small index, or any value at all: then the 32-bit sum wraps.
  uint32_t idx = chance(50) ? static_cast<uint32_t>(static_cast<int32_t>(below(1024)) - 512) : u32();
  int32_t disp = chance(50) ? static_cast<int8_t>(u32()) : chance(50) ? 0 : static_cast<int32_t>(u32());
  emit(x86::Inst::kIdMov, {index, Imm(idx)});
  emit(x86::Inst::kIdMov, {base, Imm(FUZZ_DATA_BASE + off - (idx << shift) - static_cast<uint32_t>(disp))});
  return x86::ptr(base, index, shift, disp, size);
}

x86::Mem GenContext::mem_esp(uint32_t size) {
  return x86::ptr(x86::esp, static_cast<int32_t>(below(0x70)), size);
}

// 16-bit addressing: only the low halves count, so the upper halves get junk.
x86::Mem GenContext::mem_16bit(uint32_t size, uint32_t off, uint32_t avoid) {
  static const x86::Gp bases[] = {x86::bx, x86::bp};
  static const x86::Gp indexes[] = {x86::si, x86::di};
  uint32_t target = FUZZ_DATA_BASE + off;
  int32_t disp = chance(40) ? 0 : chance(50) ? static_cast<int8_t>(u32()) : static_cast<int16_t>(u32());
  bool has_base = chance(75), has_index = !has_base || chance(60);
  x86::Gp base = bases[below(2)], index = indexes[below(2)];
  // AsmJit encodes a lone [bp] as mod 00 rm 110, which is [disp16]: give it a displacement.
  if (has_base && !has_index && base.id() == x86::Gp::kIdBp && disp == 0) disp = 1;
  if ((has_base && (avoid & bit(base))) || (has_index && (avoid & bit(index))))
    return mem_abs(size, off);
  uint32_t idx16 = has_index ? u32() & 0xFFFF : 0;
  if (has_index) emit(x86::Inst::kIdMov, {x86::gpd(index.id()), Imm((u32() & 0xFFFF0000) | idx16)});
  if (has_base) {
    uint32_t b16 = (target - idx16 - static_cast<uint32_t>(disp)) & 0xFFFF;
    emit(x86::Inst::kIdMov, {x86::gpd(base.id()), Imm((u32() & 0xFFFF0000) | b16)});
    return has_index ? x86::ptr(base, index, 0, disp, size) : x86::ptr(base, disp, size);
  }
  disp = static_cast<int16_t>((target - idx16) & 0xFFFF);
  return x86::ptr(index, disp, size);
}

}  // namespace bt86::fuzz
