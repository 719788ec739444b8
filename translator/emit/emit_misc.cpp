// Small special cases: mov (with its system forms), lea, nops, cld/std,
// rdtsc.
#include "emit/emit.h"
#include "emit/host_regs.h"
#include "emit/op_table.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;
namespace hr = hostreg;

namespace {
ZydisRegisterClass reg_class(const ZydisDecodedOperand& op) {
  return op.type == ZYDIS_OPERAND_TYPE_REGISTER ? ZydisRegisterGetClass(op.reg.value) : ZYDIS_REGCLASS_INVALID;
}
}  // namespace

// mov has system forms (control, debug and segment registers), each a row
// of the op table.
Flow emit_mov(BlockBuilder& b, const Insn& insn) {
  ZydisRegisterClass c0 = reg_class(insn.ops[0]), c1 = reg_class(insn.ops[1]);
  if (c1 == ZYDIS_REGCLASS_SEGMENT) return emit_mov_from_sreg(b, insn);
  OpForm form = OpForm::kAny;
  if (c0 == ZYDIS_REGCLASS_CONTROL || c1 == ZYDIS_REGCLASS_CONTROL) form = OpForm::kControlRegister;
  else if (c0 == ZYDIS_REGCLASS_DEBUG || c1 == ZYDIS_REGCLASS_DEBUG) form = OpForm::kDebugRegister;
  else if (c0 == ZYDIS_REGCLASS_SEGMENT) form = OpForm::kToSegment;
  if (form == OpForm::kAny) return emit_ident(b, insn);
  const OpRow* op = find_op(ZYDIS_MNEMONIC_MOV, form);
  return op->emit ? op->emit(b, insn) : emit_helper(b, insn, op);
}

// mov r32, CR0/CR2/CR3/CR4 at CPL 0 reads CpuState inline: the control
// registers change only in C++ code, which keeps them there. (Linux reads
// CR2 in every page fault; as a helper call it cost ~150 cycles.) Writes,
// and reads at CPL 3 (#GP(0)), go to the helper.
Flow emit_mov_cr(BlockBuilder& b, const Insn& insn) {
  const ZydisRegister dst = insn.ops[0].reg.value, src = insn.ops[1].reg.value;
  const OpRow* helper = find_op(ZYDIS_MNEMONIC_MOV, OpForm::kControlRegister);
  if (b.cpl() != 0 || ZydisRegisterGetClass(dst) != ZYDIS_REGCLASS_GPR32) return emit_helper(b, insn, helper);
  size_t offset;
  switch (src) {
    case ZYDIS_REGISTER_CR0: offset = offsetof(CpuState, cr0); break;
    case ZYDIS_REGISTER_CR2: offset = offsetof(CpuState, cr2); break;
    case ZYDIS_REGISTER_CR3: offset = offsetof(CpuState, cr3); break;
    case ZYDIS_REGISTER_CR4: offset = offsetof(CpuState, cr4); break;
    default: return emit_helper(b, insn, helper);
  }
  b.a().mov(hr::guest32(guest_gpr_of(dst)), hr::state_field(offset, 4));
  return Flow::kContinue;
}

// mov r/m, sreg reads the selector the guest loaded (ring aliasing: the
// guest sees its own RPL, not the host's).
Flow emit_mov_from_sreg(BlockBuilder& b, const Insn& insn) {
  Assembler& a = b.a();
  unsigned seg = static_cast<unsigned>(segment_of(insn.ops[1].reg.value));
  a.movzx(hr::kTmp, hr::cpu_selector(seg));
  const ZydisDecodedOperand& dst = insn.ops[0];
  if (dst.type == ZYDIS_OPERAND_TYPE_REGISTER) {
    Gp r = hr::guest32(guest_gpr_of(dst.reg.value));
    if (dst.size == 16) a.mov(r.r16(), hr::kTmp.r16());
    else a.mov(r, hr::kTmp);
    return Flow::kContinue;
  }
  Gp addr = form_address(b, insn, dst, hr::kAddr);
  redirect_access(b, insn, addr, 2, false, true);
  a.mov(hr::guest_mem(addr, 2), hr::kTmp.r16());
  commit_access(b, insn);
  return Flow::kContinue;
}

// lea computes an offset only: no segment base, no memory access.
Flow emit_lea(BlockBuilder& b, const Insn& insn) {
  form_offset(b, insn, insn.ops[1], hr::kAddr);
  Gp dst = hr::guest32(guest_gpr_of(insn.ops[0].reg.value));
  if (insn.ops[0].size == 16) b.a().mov(dst.r16(), hr::kAddr.r16());
  else b.a().mov(dst, hr::kAddr);
  return Flow::kContinue;
}

Flow emit_nop(BlockBuilder&, const Insn&) { return Flow::kContinue; }

bool uses_fpu(const Insn& insn) {
  switch (insn.info.meta.isa_ext) {
    case ZYDIS_ISA_EXT_X87: case ZYDIS_ISA_EXT_MMX: case ZYDIS_ISA_EXT_SSE: case ZYDIS_ISA_EXT_SSE2:
    case ZYDIS_ISA_EXT_SSE3: case ZYDIS_ISA_EXT_SSSE3: case ZYDIS_ISA_EXT_SSE4: case ZYDIS_ISA_EXT_SSE4A:
    case ZYDIS_ISA_EXT_AMD3DNOW:
      return true;
    default:
      return insn.info.meta.isa_set == ZYDIS_ISA_SET_FXSAVE || insn.mnemonic() == ZYDIS_MNEMONIC_FWAIT;
  }
}

// cld/std: the native instruction keeps host DF (pushf sees it), and the
// stride mirror tells string loops the direction without testing flags.
Flow emit_cld_std(BlockBuilder& b, const Insn& insn) {
  Assembler& a = b.a();
  bool std_ = insn.mnemonic() == ZYDIS_MNEMONIC_STD;
  if (std_) a.std();
  else a.cld();
  a.mov(hr::cpu_stride(), imm(std_ ? -1 : 1));
  return Flow::kContinue;
}

// RDTSC runs natively unless CR4.TSD makes it fault here. The guest's TSC
// is the host's plus CpuState::tsc_offset, added in 64 bits through the
// spill slot with moves and lea only: the guest's flags stay as they are.
Flow emit_rdtsc(BlockBuilder& b, const Insn& insn) {
  if (b.mode() & mode::kTscFaults) return emit_system(b, insn);
  Assembler& a = b.a();
  Mem lo = hr::frame_field(offsetof(CpuFrame, spill), 4), hi = hr::frame_field(offsetof(CpuFrame, spill) + 4, 4);
  a.rdtsc();
  a.mov(lo, eax);
  a.mov(hi, edx);
  a.mov(rax, hr::cpu_spill());
  a.mov(rdx, hr::state_field(offsetof(CpuState, tsc_offset), 8));
  a.lea(rax, ptr(rax, rdx));
  a.mov(hr::cpu_spill(), rax);
  a.mov(eax, lo);
  a.mov(edx, hi);
  return Flow::kContinue;
}

}  // namespace bt86
