// Small special cases, and the table from mnemonic to emitter: every
// mnemonic not listed is translated as ident.
#include <array>
#include <utility>

#include "cpu_model.h"
#include "emit.h"
#include "helpers.h"
#include "host_regs.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;
namespace hr = hostreg;

Flow emit_mov_cr_dr(BlockBuilder&, const Insn&);
Flow emit_mov_to_sreg(BlockBuilder&, const Insn&);
Flow emit_rdtsc(BlockBuilder&, const Insn&);

namespace {

ZydisRegisterClass reg_class(const ZydisDecodedOperand& op) {
  return op.type == ZYDIS_OPERAND_TYPE_REGISTER ? ZydisRegisterGetClass(op.reg.value) : ZYDIS_REGCLASS_INVALID;
}

// mov has system forms (control, debug and segment registers).
Flow emit_mov(BlockBuilder& b, const Insn& insn) {
  ZydisRegisterClass c0 = reg_class(insn.ops[0]), c1 = reg_class(insn.ops[1]);
  if (c0 == ZYDIS_REGCLASS_CONTROL || c1 == ZYDIS_REGCLASS_CONTROL || c0 == ZYDIS_REGCLASS_DEBUG ||
      c1 == ZYDIS_REGCLASS_DEBUG)
    return emit_mov_cr_dr(b, insn);
  if (c0 == ZYDIS_REGCLASS_SEGMENT) return emit_mov_to_sreg(b, insn);
  if (c1 == ZYDIS_REGCLASS_SEGMENT) return emit_mov_from_sreg(b, insn);
  return emit_ident(b, insn);
}

}  // namespace

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

Emitter special_emitter(ZydisMnemonic mnemonic) {
  static const auto table = [] {
    std::array<Emitter, ZYDIS_MNEMONIC_MAX_VALUE + 1> t{};
    const std::pair<ZydisMnemonic, Emitter> entries[] = {
        {ZYDIS_MNEMONIC_MOV, emit_mov},         {ZYDIS_MNEMONIC_LEA, emit_lea},
        {ZYDIS_MNEMONIC_NOP, emit_nop},         {ZYDIS_MNEMONIC_PAUSE, emit_nop},
        {ZYDIS_MNEMONIC_CLD, emit_cld_std},     {ZYDIS_MNEMONIC_STD, emit_cld_std},
        {ZYDIS_MNEMONIC_PUSH, emit_push},       {ZYDIS_MNEMONIC_POP, emit_pop},
        {ZYDIS_MNEMONIC_PUSHAD, emit_pushad},   {ZYDIS_MNEMONIC_PUSHA, emit_pushad},
        {ZYDIS_MNEMONIC_POPAD, emit_popad},     {ZYDIS_MNEMONIC_POPA, emit_popad},
        {ZYDIS_MNEMONIC_ENTER, emit_enter},     {ZYDIS_MNEMONIC_LEAVE, emit_leave},
        {ZYDIS_MNEMONIC_JMP, emit_jmp},         {ZYDIS_MNEMONIC_CALL, emit_call},
        {ZYDIS_MNEMONIC_RET, emit_ret},         {ZYDIS_MNEMONIC_XLAT, emit_xlat},
        {ZYDIS_MNEMONIC_JECXZ, emit_loop},      {ZYDIS_MNEMONIC_JCXZ, emit_loop},
        {ZYDIS_MNEMONIC_LOOP, emit_loop},       {ZYDIS_MNEMONIC_LOOPE, emit_loop},
        {ZYDIS_MNEMONIC_LOOPNE, emit_loop},
        {ZYDIS_MNEMONIC_CLI, emit_cli_sti},     {ZYDIS_MNEMONIC_STI, emit_cli_sti},
        {ZYDIS_MNEMONIC_PUSHFD, emit_pushf},    {ZYDIS_MNEMONIC_POPFD, emit_popf},
        {ZYDIS_MNEMONIC_MASKMOVQ, emit_maskmov}, {ZYDIS_MNEMONIC_MASKMOVDQU, emit_maskmov},
    };
    for (auto [m, e] : entries) t[m] = e;
    for (ZydisMnemonic m : {ZYDIS_MNEMONIC_JB, ZYDIS_MNEMONIC_JBE, ZYDIS_MNEMONIC_JL, ZYDIS_MNEMONIC_JLE,
                            ZYDIS_MNEMONIC_JNB, ZYDIS_MNEMONIC_JNBE, ZYDIS_MNEMONIC_JNL, ZYDIS_MNEMONIC_JNLE,
                            ZYDIS_MNEMONIC_JNO, ZYDIS_MNEMONIC_JNP, ZYDIS_MNEMONIC_JNS, ZYDIS_MNEMONIC_JNZ,
                            ZYDIS_MNEMONIC_JO, ZYDIS_MNEMONIC_JP, ZYDIS_MNEMONIC_JS, ZYDIS_MNEMONIC_JZ})
      t[m] = emit_jcc;
    for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVSB, ZYDIS_MNEMONIC_MOVSW, ZYDIS_MNEMONIC_MOVSD, ZYDIS_MNEMONIC_STOSB,
                            ZYDIS_MNEMONIC_STOSW, ZYDIS_MNEMONIC_STOSD, ZYDIS_MNEMONIC_LODSB, ZYDIS_MNEMONIC_LODSW,
                            ZYDIS_MNEMONIC_LODSD, ZYDIS_MNEMONIC_CMPSB, ZYDIS_MNEMONIC_CMPSW, ZYDIS_MNEMONIC_CMPSD,
                            ZYDIS_MNEMONIC_SCASB, ZYDIS_MNEMONIC_SCASW, ZYDIS_MNEMONIC_SCASD})
      t[m] = emit_string;
    // Everything a helper carries out.
    t[ZYDIS_MNEMONIC_RDTSC] = emit_rdtsc;
    for (ZydisMnemonic m : {ZYDIS_MNEMONIC_HLT, ZYDIS_MNEMONIC_CPUID, ZYDIS_MNEMONIC_RDPMC, ZYDIS_MNEMONIC_RDMSR, ZYDIS_MNEMONIC_WRMSR,
                            ZYDIS_MNEMONIC_PUSHF, ZYDIS_MNEMONIC_POPF, ZYDIS_MNEMONIC_CLTS,
                            ZYDIS_MNEMONIC_LMSW, ZYDIS_MNEMONIC_SMSW, ZYDIS_MNEMONIC_INVLPG, ZYDIS_MNEMONIC_INVD,
                            ZYDIS_MNEMONIC_WBINVD, ZYDIS_MNEMONIC_IN, ZYDIS_MNEMONIC_OUT, ZYDIS_MNEMONIC_INSB,
                            ZYDIS_MNEMONIC_INSW, ZYDIS_MNEMONIC_INSD, ZYDIS_MNEMONIC_OUTSB, ZYDIS_MNEMONIC_OUTSW,
                            ZYDIS_MNEMONIC_OUTSD, ZYDIS_MNEMONIC_LGDT, ZYDIS_MNEMONIC_LIDT, ZYDIS_MNEMONIC_SGDT,
                            ZYDIS_MNEMONIC_SIDT, ZYDIS_MNEMONIC_LLDT, ZYDIS_MNEMONIC_LTR, ZYDIS_MNEMONIC_SLDT,
                            ZYDIS_MNEMONIC_STR, ZYDIS_MNEMONIC_LDS, ZYDIS_MNEMONIC_LES, ZYDIS_MNEMONIC_LFS,
                            ZYDIS_MNEMONIC_LGS, ZYDIS_MNEMONIC_LSS, ZYDIS_MNEMONIC_IRETD, ZYDIS_MNEMONIC_IRET,
                            ZYDIS_MNEMONIC_INT, ZYDIS_MNEMONIC_INT3, ZYDIS_MNEMONIC_INT1, ZYDIS_MNEMONIC_INTO,
                            ZYDIS_MNEMONIC_LAR, ZYDIS_MNEMONIC_LSL, ZYDIS_MNEMONIC_VERR, ZYDIS_MNEMONIC_VERW,
                            ZYDIS_MNEMONIC_DAA, ZYDIS_MNEMONIC_DAS, ZYDIS_MNEMONIC_AAA, ZYDIS_MNEMONIC_AAS,
                            ZYDIS_MNEMONIC_AAM, ZYDIS_MNEMONIC_AAD, ZYDIS_MNEMONIC_SALC, ZYDIS_MNEMONIC_BOUND,
                            ZYDIS_MNEMONIC_ARPL, ZYDIS_MNEMONIC_SYSENTER, ZYDIS_MNEMONIC_SYSEXIT, ZYDIS_MNEMONIC_SYSCALL,
                            ZYDIS_MNEMONIC_SYSRET, ZYDIS_MNEMONIC_UD0, ZYDIS_MNEMONIC_UD1, ZYDIS_MNEMONIC_UD2, ZYDIS_MNEMONIC_RSM})
      t[m] = emit_system;
    return t;
  }();
  return table[mnemonic];
}

Flow emit_instruction(BlockBuilder& b, const Insn& insn) {
  check_fetch(b, insn);  // before anything else the instruction may raise
  if (!cpu_implements(insn.info) || ((b.mode() & mode::kSseOff) && needs_osfxsr(insn.info, insn.ops))) {
    b.call_helper(helper_undefined, "undefined", insn);
    return Flow::kEndBlock;
  }
  if ((b.mode() & mode::kFpuTrap) && uses_fpu(insn)) {
    b.call_helper(helper_fpu_unavailable, "fpu_unavailable", insn);
    return Flow::kEndBlock;
  }
  Emitter special = special_emitter(insn.mnemonic());
  return special ? special(b, insn) : emit_ident(b, insn);
}

}  // namespace bt86
