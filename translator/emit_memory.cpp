// Address formation: guest effective address -> 32-bit linear address in a
// host register, with lea and mov only so guest flags stay live.
#include "bt86/segmentation/cpu_state.h"
#include "emit.h"
#include "host_regs.h"

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
}  // namespace

void add_segment_base(BlockBuilder& b, unsigned seg, const Gp& reg32) {
  if (!base_may_be_nonzero(b, seg)) return;
  Assembler& a = b.a();
  a.mov(hostreg::kSegBase, hostreg::cpu_seg_base(seg));
  a.lea(reg32, ptr(reg32.r64(), hostreg::kSegBase.r64()));
}

void stack_address(BlockBuilder& b, int32_t offset, const Gp& reg32) {
  b.a().lea(reg32, ptr(hostreg::kEsp.r64(), offset));
  add_segment_base(b, kSs, reg32);
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
  if (b.mmio_offset()) {  // the operand lives in the scratch buffer
    b.a().mov(into.r64(), imm(*b.mmio_offset()));
    return into.r64();
  }
  const auto& m = op.mem;
  int seg = segment_of(m.segment);
  int base = guest_gpr_of(m.base), index = guest_gpr_of(m.index);
  bool disp = m.disp.has_displacement && m.disp.value != 0;
  if (allow_plain && insn.info.address_width == 32 && base >= 0 && index < 0 && !disp && !base_may_be_nonzero(b, seg))
    return hostreg::guest64(base);  // upper half is zero: already a 32-bit linear address
  form_offset(b, insn, op, into);
  add_segment_base(b, seg, into);
  return into.r64();
}

}  // namespace bt86
