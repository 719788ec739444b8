// Address formation: guest effective address -> 32-bit linear address in a
// host register, with lea and mov only so guest flags stay live.
#include <algorithm>

#include "bt86/segmentation/cpu_state.h"
#include "emit/emit.h"
#include "emit/host_regs.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;

int guest_gpr_of(ZydisRegister reg) {
  if (reg >= ZYDIS_REGISTER_EAX && reg <= ZYDIS_REGISTER_EDI) return reg - ZYDIS_REGISTER_EAX;
  if (reg >= ZYDIS_REGISTER_AX && reg <= ZYDIS_REGISTER_DI) return reg - ZYDIS_REGISTER_AX;
  if (reg >= ZYDIS_REGISTER_AL && reg <= ZYDIS_REGISTER_BL) return reg - ZYDIS_REGISTER_AL;
  if (reg >= ZYDIS_REGISTER_AH && reg <= ZYDIS_REGISTER_BH) return reg - ZYDIS_REGISTER_AH;
  return -1;
}

int segment_of(ZydisRegister reg) {
  switch (reg) {
    case ZYDIS_REGISTER_ES: return kEs;
    case ZYDIS_REGISTER_CS: return kCs;
    case ZYDIS_REGISTER_SS: return kSs;
    case ZYDIS_REGISTER_DS: return kDs;
    case ZYDIS_REGISTER_FS: return kFs;
    case ZYDIS_REGISTER_GS: return kGs;
    default: return -1;
  }
}

namespace {
// In a flat block CS/DS/ES/SS have base 0; FS and GS never count as flat.
bool base_may_be_nonzero(const BlockBuilder& b, unsigned seg) {
  return !b.flat() || seg == kFs || seg == kGs;
}

bool needs_check(const BlockBuilder& b, unsigned seg, bool write) {
  // CS is never writable in protected mode, so a write through it is always
  // checked (and refused); its mode bit covers reads only.
  return (b.mode() >> mode::kCheckedShift >> seg & 1) || (seg == kCs && write && (b.mode() & mode::kProtected));
}
}  // namespace

bool segment_is_plain(const BlockBuilder& b, unsigned seg, bool write) {
  return !base_may_be_nonzero(b, seg) && !needs_check(b, seg, write);
}

bool operand_reads(const ZydisDecodedOperand& op) {
  return op.actions & (ZYDIS_OPERAND_ACTION_READ | ZYDIS_OPERAND_ACTION_CONDREAD);
}

bool operand_writes(const ZydisDecodedOperand& op) {
  return op.actions & (ZYDIS_OPERAND_ACTION_WRITE | ZYDIS_OPERAND_ACTION_CONDWRITE);
}

// The range check of segment_check.h without touching host flags: the two
// 64-bit sums go through frame.check_scratch so that their high dwords (0 or
// 1, or 2 for the upper sum) can be read; hi(lower) - hi(upper) - 1 is zero
// exactly when the access is allowed, and jrcxz tests that (rcx swapped out
// of the way). r12 and r13 are the only registers it uses.
void check_access(BlockBuilder& b, const Insn& insn, unsigned seg, const Gp& offset32, unsigned size, bool write) {
  if (!needs_check(b, seg, write)) return;
  Assembler& a = b.a();
  const size_t bounds = offsetof(CpuState, seg_bounds) + sizeof(AccessBounds) * (2 * seg + (write ? 1 : 0));
  const size_t scratch = offsetof(CpuFrame, check_scratch);
  const Gp lo = r12, hi = r13;
  a.mov(lo, hostreg::state_field(bounds + offsetof(AccessBounds, lo_adj), 8));
  a.lea(lo, ptr(offset32.r64(), lo));
  a.mov(hostreg::frame_field(scratch, 8), lo);
  a.mov(hi, hostreg::state_field(bounds + offsetof(AccessBounds, hi_adj), 8));
  a.lea(hi, ptr(offset32.r64(), hi, 0, static_cast<int32_t>(std::max(size, 1u) - 1)));
  a.mov(hostreg::frame_field(scratch + 8, 8), hi);
  a.mov(lo.r32(), hostreg::frame_field(scratch + 4, 4));
  a.mov(hi.r32(), hostreg::frame_field(scratch + 12, 4));
  a.not_(hi);
  a.lea(lo, ptr(lo, hi));
  Label ok = a.newLabel();
  a.xchg(lo, rcx);
  a.jecxz(rcx, ok);
  a.xchg(lo, rcx);
  a.jmp(b.segment_fault(insn, seg == kSs));
  a.bind(ok);
  a.mov(rcx, lo);
}

bool is_bit_test_by_register(const Insn& insn) {
  switch (insn.mnemonic()) {
    case ZYDIS_MNEMONIC_BT:
    case ZYDIS_MNEMONIC_BTS:
    case ZYDIS_MNEMONIC_BTR:
    case ZYDIS_MNEMONIC_BTC: return insn.ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER;
    default: return false;
  }
}

namespace {

// bt/bts/btr/btc with a register bit offset access the element the offset
// selects: operand + (offset SAR 5) * 4, or (offset SAR 4) * 2 for 16-bit
// operands (SDM vol. 2, BT); that element is what is checked. sar needs the
// host flags, which are saved around it (only in checked blocks).
void check_bit_element(BlockBuilder& b, const Insn& insn, unsigned seg, const Gp& offset32, unsigned size,
                       bool write) {
  Assembler& a = b.a();
  const Gp element = hostreg::kTmp;
  const Gp bit_offset = hostreg::guest32(static_cast<unsigned>(guest_gpr_of(insn.ops[1].reg.value)));
  a.pushfq();
  if (size == 2) a.movsx(element, bit_offset.r16());
  else a.mov(element, bit_offset);
  a.sar(element, size == 2 ? 4 : 5);
  a.lea(element, ptr(offset32.r64(), element.r64(), size == 2 ? 1 : 2));  // 32-bit wrap
  a.popfq();
  check_access(b, insn, seg, element, size, write);
}
}  // namespace

void add_segment_base(BlockBuilder& b, unsigned seg, const Gp& reg32) {
  if (!base_may_be_nonzero(b, seg)) return;
  Assembler& a = b.a();
  a.mov(hostreg::kSegBase, hostreg::cpu_seg_base(seg));
  a.lea(reg32, ptr(reg32.r64(), hostreg::kSegBase.r64()));
}

void stack_address(BlockBuilder& b, const Insn& insn, int32_t offset, const Gp& reg32, unsigned size, bool write) {
  b.a().lea(reg32, ptr(hostreg::kEsp.r64(), offset));
  if (b.stack16()) b.a().movzx(reg32, reg32.r16());
  check_access(b, insn, kSs, reg32, size, write);
  add_segment_base(b, kSs, reg32);
}

void adjust_stack_pointer(BlockBuilder& b, int32_t delta) {
  const Gp sp = b.stack16() ? hostreg::kEsp.r16() : hostreg::kEsp;
  b.a().lea(sp, ptr(hostreg::kEsp.r64(), delta));
}

void form_offset(BlockBuilder& b, const Insn& insn, const ZydisDecodedOperand& op, const Gp& into) {
  Assembler& a = b.a();
  const auto& m = op.mem;
  int base = guest_gpr_of(m.base), index = guest_gpr_of(m.index);
  auto d = static_cast<int32_t>(m.disp.has_displacement ? m.disp.value : 0);
  uint32_t shift = m.scale > 1 ? __builtin_ctz(m.scale) : 0;
  if (base < 0 && index < 0) {
    a.mov(into, imm(static_cast<uint32_t>(d)));
  } else {
    Mem ea = base >= 0 && index >= 0 ? ptr(hostreg::guest64(base), hostreg::guest64(index), shift, d)
             : base >= 0             ? ptr(hostreg::guest64(base), d)
                                     : ptr_abs(static_cast<uint64_t>(static_cast<int64_t>(d)), hostreg::guest64(index), shift);
    a.lea(into, ea);  // 32-bit destination: the guest's 32-bit wrap for free
  }
  if (insn.info.address_width == 16) a.movzx(into, into.r16());
}

Gp form_address(BlockBuilder& b, const Insn& insn, const ZydisDecodedOperand& op, const Gp& into,
                bool allow_plain) {
  const auto& m = op.mem;
  int seg = segment_of(m.segment);
  int base = guest_gpr_of(m.base), index = guest_gpr_of(m.index);
  bool disp = m.disp.has_displacement && m.disp.value != 0;
  const unsigned size = op.size / 8;
  const bool write = operand_writes(op);
  // (Not in a bounce block: its accesses replace the address register.)
  if (allow_plain && !b.redirecting() && insn.info.address_width == 32 && base >= 0 && index < 0 && !disp &&
      segment_is_plain(b, static_cast<unsigned>(seg), write))
    return hostreg::guest64(base);  // upper half is zero: already a 32-bit linear address
  form_offset(b, insn, op, into);
  if (is_bit_test_by_register(insn) && insn.info.address_width == 32 && needs_check(b, static_cast<unsigned>(seg), write))
    check_bit_element(b, insn, static_cast<unsigned>(seg), into, size, write);
  else
    check_access(b, insn, static_cast<unsigned>(seg), into, size, write);
  add_segment_base(b, seg, into);
  return into.r64();
}

}  // namespace bt86
