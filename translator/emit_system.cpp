// Instructions carried out by C++ helpers: one table from mnemonic to
// helper, with the exit cause counted in the statistics and whether the
// helper always leaves translated code (then the block ends there).
#include <array>

#include "emit.h"
#include "helpers.h"
#include "host_regs.h"

namespace bt86 {

namespace {

struct SystemOp {
  ZydisMnemonic mnemonic;
  HelperFn fn;
  const char* cause;
  bool ends_block;
};

constexpr SystemOp kSystemOps[] = {
    {ZYDIS_MNEMONIC_CLI, helper_cli, "cli", false},
    {ZYDIS_MNEMONIC_STI, helper_sti, "sti", false},
    {ZYDIS_MNEMONIC_HLT, helper_hlt, "hlt", true},
    {ZYDIS_MNEMONIC_CPUID, helper_cpuid, "cpuid", false},
    {ZYDIS_MNEMONIC_RDTSC, helper_rdtsc, "rdtsc", false},
    {ZYDIS_MNEMONIC_RDPMC, helper_rdpmc, "rdpmc", false},
    {ZYDIS_MNEMONIC_RDMSR, helper_rdmsr, "rdmsr", false},
    {ZYDIS_MNEMONIC_WRMSR, helper_wrmsr, "wrmsr", false},
    {ZYDIS_MNEMONIC_PUSHFD, helper_pushf, "pushf", false},
    {ZYDIS_MNEMONIC_PUSHF, helper_pushf, "pushf", false},
    {ZYDIS_MNEMONIC_POPFD, helper_popf, "popf", false},
    {ZYDIS_MNEMONIC_POPF, helper_popf, "popf", false},
    {ZYDIS_MNEMONIC_CLTS, helper_clts, "clts", false},
    {ZYDIS_MNEMONIC_LMSW, helper_lmsw, "lmsw", false},
    {ZYDIS_MNEMONIC_SMSW, helper_smsw, "smsw", false},
    {ZYDIS_MNEMONIC_INVLPG, helper_cache_control, "invlpg", false},
    {ZYDIS_MNEMONIC_INVD, helper_cache_control, "invd", false},
    {ZYDIS_MNEMONIC_WBINVD, helper_cache_control, "wbinvd", false},
    {ZYDIS_MNEMONIC_IN, helper_in, "in", false},
    {ZYDIS_MNEMONIC_OUT, helper_out, "out", false},
    {ZYDIS_MNEMONIC_INSB, helper_ins, "ins", false},
    {ZYDIS_MNEMONIC_INSW, helper_ins, "ins", false},
    {ZYDIS_MNEMONIC_INSD, helper_ins, "ins", false},
    {ZYDIS_MNEMONIC_OUTSB, helper_outs, "outs", false},
    {ZYDIS_MNEMONIC_OUTSW, helper_outs, "outs", false},
    {ZYDIS_MNEMONIC_OUTSD, helper_outs, "outs", false},
    {ZYDIS_MNEMONIC_LGDT, helper_load_table, "lgdt", false},
    {ZYDIS_MNEMONIC_LIDT, helper_load_table, "lidt", false},
    {ZYDIS_MNEMONIC_SGDT, helper_store_table, "sgdt", false},
    {ZYDIS_MNEMONIC_SIDT, helper_store_table, "sidt", false},
    {ZYDIS_MNEMONIC_LLDT, helper_lldt_ltr, "lldt", false},
    {ZYDIS_MNEMONIC_LTR, helper_lldt_ltr, "ltr", false},
    {ZYDIS_MNEMONIC_SLDT, helper_sldt_str, "sldt", false},
    {ZYDIS_MNEMONIC_STR, helper_sldt_str, "str", false},
    {ZYDIS_MNEMONIC_LDS, helper_load_far_pointer, "load_far_pointer", false},
    {ZYDIS_MNEMONIC_LES, helper_load_far_pointer, "load_far_pointer", false},
    {ZYDIS_MNEMONIC_LFS, helper_load_far_pointer, "load_far_pointer", false},
    {ZYDIS_MNEMONIC_LGS, helper_load_far_pointer, "load_far_pointer", false},
    {ZYDIS_MNEMONIC_LSS, helper_load_far_pointer, "load_far_pointer", false},
    {ZYDIS_MNEMONIC_JMP, helper_jmp_far, "jmp_far", true},
    {ZYDIS_MNEMONIC_CALL, helper_call_far, "call_far", true},
    {ZYDIS_MNEMONIC_RET, helper_ret_far, "ret_far", true},
    {ZYDIS_MNEMONIC_IRETD, helper_iret, "iret", true},
    {ZYDIS_MNEMONIC_IRET, helper_iret, "iret", true},
    {ZYDIS_MNEMONIC_INT, helper_int, "int", true},
    {ZYDIS_MNEMONIC_INT3, helper_int, "int3", true},
    {ZYDIS_MNEMONIC_INT1, helper_int, "int1", true},
    {ZYDIS_MNEMONIC_INTO, helper_int, "into", false},
    {ZYDIS_MNEMONIC_SYSENTER, helper_sysenter, "sysenter", true},
    {ZYDIS_MNEMONIC_SYSEXIT, helper_sysexit, "sysexit", true},
    {ZYDIS_MNEMONIC_SYSCALL, helper_syscall, "syscall", true},
    {ZYDIS_MNEMONIC_SYSRET, helper_sysret, "sysret", true},
    {ZYDIS_MNEMONIC_LAR, helper_lar_lsl, "lar", false},
    {ZYDIS_MNEMONIC_LSL, helper_lar_lsl, "lsl", false},
    {ZYDIS_MNEMONIC_VERR, helper_verr_verw, "verr", false},
    {ZYDIS_MNEMONIC_VERW, helper_verr_verw, "verw", false},
    {ZYDIS_MNEMONIC_DAA, helper_native32, "legacy_native", false},
    {ZYDIS_MNEMONIC_DAS, helper_native32, "legacy_native", false},
    {ZYDIS_MNEMONIC_AAA, helper_native32, "legacy_native", false},
    {ZYDIS_MNEMONIC_AAS, helper_native32, "legacy_native", false},
    {ZYDIS_MNEMONIC_AAM, helper_native32, "legacy_native", false},
    {ZYDIS_MNEMONIC_AAD, helper_native32, "legacy_native", false},
    {ZYDIS_MNEMONIC_SALC, helper_native32, "legacy_native", false},
    {ZYDIS_MNEMONIC_BOUND, helper_bound, "bound", false},
    {ZYDIS_MNEMONIC_ARPL, helper_arpl, "arpl", false},
    {ZYDIS_MNEMONIC_ENTER, helper_enter_nested, "enter_nested", false},
    {ZYDIS_MNEMONIC_UD0, helper_undefined, "undefined", true},
    {ZYDIS_MNEMONIC_UD1, helper_undefined, "undefined", true},
    {ZYDIS_MNEMONIC_UD2, helper_undefined, "undefined", true},
    {ZYDIS_MNEMONIC_RSM, helper_undefined, "undefined", true},  // outside SMM, which this CPU never enters
    {ZYDIS_MNEMONIC_POP, helper_pop_sreg, "pop_sreg", false},
};

const SystemOp* find_op(ZydisMnemonic m) {
  static const auto table = [] {
    std::array<const SystemOp*, ZYDIS_MNEMONIC_MAX_VALUE + 1> t{};
    for (const SystemOp& op : kSystemOps) t[op.mnemonic] = &op;
    return t;
  }();
  return table[m];
}

}  // namespace

Flow emit_system(BlockBuilder& b, const Insn& insn) {
  const SystemOp* op = find_op(insn.mnemonic());
  if (!op) return emit_unsupported(b, insn);
  b.call_helper(op->fn, op->cause, insn);
  return op->ends_block ? Flow::kEndBlock : Flow::kContinue;
}

Flow emit_unsupported(BlockBuilder& b, const Insn& insn) {
  b.call_helper(helper_unsupported, "unsupported", insn);
  return Flow::kEndBlock;
}

Flow emit_mov_cr_dr(BlockBuilder& b, const Insn& insn) {
  bool dr = ZydisRegisterGetClass(insn.ops[0].reg.value) == ZYDIS_REGCLASS_DEBUG ||
            ZydisRegisterGetClass(insn.ops[1].reg.value) == ZYDIS_REGCLASS_DEBUG;
  b.call_helper(dr ? helper_mov_dr : helper_mov_cr, dr ? "mov_dr" : "mov_cr", insn);
  return Flow::kContinue;
}

// RDTSC runs natively unless CR4.TSD makes it fault here. The guest's TSC
// is the host's plus CpuState::tsc_offset, added in 64 bits through the
// spill slot with moves and lea only: the guest's flags stay as they are.
Flow emit_rdtsc(BlockBuilder& b, const Insn& insn) {
  if (b.mode() & mode::kTscFaults) {
    b.call_helper(helper_rdtsc, "rdtsc", insn);
    return Flow::kContinue;
  }
  namespace hr = hostreg;
  namespace x = asmjit::x86;
  x::Assembler& a = b.a();
  x::Mem lo = hr::cpu_field(offsetof(CpuState, spill), 4), hi = hr::cpu_field(offsetof(CpuState, spill) + 4, 4);
  a.rdtsc();
  a.mov(lo, x::eax);
  a.mov(hi, x::edx);
  a.mov(x::rax, hr::cpu_spill());
  a.mov(x::rdx, hr::cpu_field(offsetof(CpuState, tsc_offset), 8));
  a.lea(x::rax, x::ptr(x::rax, x::rdx));
  a.mov(hr::cpu_spill(), x::rax);
  a.mov(x::eax, lo);
  a.mov(x::edx, hi);
  return Flow::kContinue;
}

Flow emit_mov_to_sreg(BlockBuilder& b, const Insn& insn) {
  b.call_helper(helper_mov_to_sreg, "mov_sreg", insn);
  return Flow::kContinue;
}

}  // namespace bt86
