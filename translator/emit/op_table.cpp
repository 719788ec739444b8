#include "emit/op_table.h"

#include <array>
#include <map>
#include <utility>

#include "bt86/segmentation/cpu_model.h"
#include "runtime/helpers.h"

namespace bt86 {

namespace {

constexpr bool kEnds = true, kGoesOn = false;
constexpr bool kCpl0 = true, kAnyCpl = false;
constexpr OpForm kAny = OpForm::kAny;

// clang-format off
constexpr OpRow kOps[] = {
    // mnemonic                  form                      emitter          helper                   exit cause          block    CPL
    // moves, address computation, no-ops
    {ZYDIS_MNEMONIC_MOV,         kAny,                     emit_mov,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_MOV,         OpForm::kControlRegister, emit_mov_cr,     helper_mov_cr,           "mov_cr",           kGoesOn, kCpl0},
    {ZYDIS_MNEMONIC_MOV,         OpForm::kDebugRegister,   nullptr,         helper_mov_dr,           "mov_dr",           kGoesOn, kCpl0},
    {ZYDIS_MNEMONIC_MOV,         OpForm::kToSegment,       nullptr,         helper_mov_to_sreg,      "mov_sreg",         kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LEA,         kAny,                     emit_lea,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_NOP,         kAny,                     emit_nop,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_PAUSE,       kAny,                     emit_nop,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_CLD,         kAny,                     emit_cld_std,    nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_STD,         kAny,                     emit_cld_std,    nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_MASKMOVQ,    kAny,                     emit_maskmov,    nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_MASKMOVDQU,  kAny,                     emit_maskmov,    nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_XLAT,        kAny,                     emit_xlat,       nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    // the stack (pop sreg and nested or 16-bit enter in helpers)
    {ZYDIS_MNEMONIC_PUSH,        kAny,                     emit_push,       nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_POP,         kAny,                     emit_pop,        helper_pop_sreg,         "pop_sreg",         kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_PUSHAD,      kAny,                     emit_pushad,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_PUSHA,       kAny,                     emit_pushad,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_POPAD,       kAny,                     emit_popad,      nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_POPA,        kAny,                     emit_popad,      nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_ENTER,       kAny,                     emit_enter,      helper_enter_nested,     "enter_nested",     kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LEAVE,       kAny,                     emit_leave,      nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    // control transfers (far forms in helpers)
    {ZYDIS_MNEMONIC_JMP,         kAny,                     emit_jmp,        helper_jmp_far,          "jmp_far",          kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_CALL,        kAny,                     emit_call,       helper_call_far,         "call_far",         kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_RET,         kAny,                     emit_ret,        helper_ret_far,          "ret_far",          kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_JECXZ,       kAny,                     emit_loop,       nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JCXZ,        kAny,                     emit_loop,       nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LOOP,        kAny,                     emit_loop,       nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LOOPE,       kAny,                     emit_loop,       nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LOOPNE,      kAny,                     emit_loop,       nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JB,          kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JBE,         kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JL,          kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JLE,         kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JNB,         kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JNBE,        kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JNL,         kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JNLE,        kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JNO,         kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JNP,         kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JNS,         kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JNZ,         kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JO,          kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JP,          kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JS,          kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_JZ,          kAny,                     emit_jcc,        nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    // string instructions (ins/outs in helpers)
    {ZYDIS_MNEMONIC_MOVSB,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_MOVSW,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_MOVSD,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_STOSB,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_STOSW,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_STOSD,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LODSB,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LODSW,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LODSD,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_CMPSB,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_CMPSW,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_CMPSD,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_SCASB,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_SCASW,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_SCASD,       kAny,                     emit_string,     nullptr,                 nullptr,            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_INSB,        kAny,                     nullptr,         helper_ins,              "ins",              kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_INSW,        kAny,                     nullptr,         helper_ins,              "ins",              kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_INSD,        kAny,                     nullptr,         helper_ins,              "ins",              kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_OUTSB,       kAny,                     nullptr,         helper_outs,             "outs",             kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_OUTSW,       kAny,                     nullptr,         helper_outs,             "outs",             kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_OUTSD,       kAny,                     nullptr,         helper_outs,             "outs",             kGoesOn, kAnyCpl},
    // flags (inline at CPL 0 with 32-bit operands, else in helpers)
    {ZYDIS_MNEMONIC_CLI,         kAny,                     emit_cli_sti,    helper_cli,              "cli",              kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_STI,         kAny,                     emit_cli_sti,    helper_sti,              "sti",              kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_PUSHFD,      kAny,                     emit_pushf,      helper_pushf,            "pushf",            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_PUSHF,       kAny,                     nullptr,         helper_pushf,            "pushf",            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_POPFD,       kAny,                     emit_popf,       helper_popf,             "popf",             kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_POPF,        kAny,                     nullptr,         helper_popf,             "popf",             kGoesOn, kAnyCpl},
    // CPU control
    {ZYDIS_MNEMONIC_HLT,         kAny,                     nullptr,         helper_hlt,              "hlt",              kEnds,   kCpl0},
    {ZYDIS_MNEMONIC_CPUID,       kAny,                     nullptr,         helper_cpuid,            "cpuid",            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_RDTSC,       kAny,                     emit_rdtsc,      helper_rdtsc,            "rdtsc",            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_RDPMC,       kAny,                     nullptr,         helper_rdpmc,            "rdpmc",            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_RDMSR,       kAny,                     nullptr,         helper_rdmsr,            "rdmsr",            kGoesOn, kCpl0},
    {ZYDIS_MNEMONIC_WRMSR,       kAny,                     nullptr,         helper_wrmsr,            "wrmsr",            kGoesOn, kCpl0},
    {ZYDIS_MNEMONIC_CLTS,        kAny,                     nullptr,         helper_clts,             "clts",             kGoesOn, kCpl0},
    {ZYDIS_MNEMONIC_LMSW,        kAny,                     nullptr,         helper_lmsw,             "lmsw",             kGoesOn, kCpl0},
    {ZYDIS_MNEMONIC_SMSW,        kAny,                     nullptr,         helper_smsw,             "smsw",             kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_INVLPG,      kAny,                     nullptr,         helper_cache_control,    "invlpg",           kGoesOn, kCpl0},
    {ZYDIS_MNEMONIC_INVD,        kAny,                     nullptr,         helper_cache_control,    "invd",             kGoesOn, kCpl0},
    {ZYDIS_MNEMONIC_WBINVD,      kAny,                     nullptr,         helper_cache_control,    "wbinvd",           kGoesOn, kCpl0},
    // port I/O
    {ZYDIS_MNEMONIC_IN,          kAny,                     nullptr,         helper_in,               "in",               kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_OUT,         kAny,                     nullptr,         helper_out,              "out",              kGoesOn, kAnyCpl},
    // descriptor tables and segment registers
    {ZYDIS_MNEMONIC_LGDT,        kAny,                     nullptr,         helper_load_table,       "lgdt",             kGoesOn, kCpl0},
    {ZYDIS_MNEMONIC_LIDT,        kAny,                     nullptr,         helper_load_table,       "lidt",             kGoesOn, kCpl0},
    {ZYDIS_MNEMONIC_SGDT,        kAny,                     nullptr,         helper_store_table,      "sgdt",             kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_SIDT,        kAny,                     nullptr,         helper_store_table,      "sidt",             kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LLDT,        kAny,                     nullptr,         helper_lldt_ltr,         "lldt",             kGoesOn, kCpl0},
    {ZYDIS_MNEMONIC_LTR,         kAny,                     nullptr,         helper_lldt_ltr,         "ltr",              kGoesOn, kCpl0},
    {ZYDIS_MNEMONIC_SLDT,        kAny,                     nullptr,         helper_sldt_str,         "sldt",             kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_STR,         kAny,                     nullptr,         helper_sldt_str,         "str",              kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LDS,         kAny,                     nullptr,         helper_load_far_pointer, "load_far_pointer", kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LES,         kAny,                     nullptr,         helper_load_far_pointer, "load_far_pointer", kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LFS,         kAny,                     nullptr,         helper_load_far_pointer, "load_far_pointer", kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LGS,         kAny,                     nullptr,         helper_load_far_pointer, "load_far_pointer", kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LSS,         kAny,                     nullptr,         helper_load_far_pointer, "load_far_pointer", kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LAR,         kAny,                     nullptr,         helper_lar_lsl,          "lar",              kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_LSL,         kAny,                     nullptr,         helper_lar_lsl,          "lsl",              kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_VERR,        kAny,                     nullptr,         helper_verr_verw,        "verr",             kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_VERW,        kAny,                     nullptr,         helper_verr_verw,        "verw",             kGoesOn, kAnyCpl},
    // interrupts and fast system calls
    {ZYDIS_MNEMONIC_IRETD,       kAny,                     nullptr,         helper_iret,             "iret",             kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_IRET,        kAny,                     nullptr,         helper_iret,             "iret",             kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_INT,         kAny,                     nullptr,         helper_int,              "int",              kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_INT3,        kAny,                     nullptr,         helper_int,              "int3",             kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_INT1,        kAny,                     nullptr,         helper_int,              "int1",             kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_INTO,        kAny,                     nullptr,         helper_int,              "into",             kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_SYSENTER,    kAny,                     nullptr,         helper_sysenter,         "sysenter",         kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_SYSEXIT,     kAny,                     nullptr,         helper_sysexit,          "sysexit",          kEnds,   kCpl0},
    // sysret's CPL check is its own: #UD (EFER.SCE clear) comes first
    {ZYDIS_MNEMONIC_SYSCALL,     kAny,                     nullptr,         helper_syscall,          "syscall",          kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_SYSRET,      kAny,                     nullptr,         helper_sysret,           "sysret",           kEnds,   kAnyCpl},
    // legacy instructions with no 64-bit encoding
    {ZYDIS_MNEMONIC_DAA,         kAny,                     nullptr,         helper_native32,         "legacy_native",    kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_DAS,         kAny,                     nullptr,         helper_native32,         "legacy_native",    kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_AAA,         kAny,                     nullptr,         helper_native32,         "legacy_native",    kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_AAS,         kAny,                     nullptr,         helper_native32,         "legacy_native",    kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_AAM,         kAny,                     nullptr,         helper_native32,         "legacy_native",    kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_AAD,         kAny,                     nullptr,         helper_native32,         "legacy_native",    kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_SALC,        kAny,                     nullptr,         helper_native32,         "legacy_native",    kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_BOUND,       kAny,                     nullptr,         helper_bound,            "bound",            kGoesOn, kAnyCpl},
    {ZYDIS_MNEMONIC_ARPL,        kAny,                     nullptr,         helper_arpl,             "arpl",             kGoesOn, kAnyCpl},
    // always #UD (rsm: outside SMM, which this CPU never enters)
    {ZYDIS_MNEMONIC_UD0,         kAny,                     nullptr,         helper_undefined,        "undefined",        kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_UD1,         kAny,                     nullptr,         helper_undefined,        "undefined",        kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_UD2,         kAny,                     nullptr,         helper_undefined,        "undefined",        kEnds,   kAnyCpl},
    {ZYDIS_MNEMONIC_RSM,         kAny,                     nullptr,         helper_undefined,        "undefined",        kEnds,   kAnyCpl},
};
// clang-format on

}  // namespace

const OpRow* find_op(ZydisMnemonic mnemonic, OpForm form) {
  static const auto index = [] {
    std::map<std::pair<ZydisMnemonic, OpForm>, const OpRow*> by_key;
    for (const OpRow& row : kOps) by_key[{row.mnemonic, row.form}] = &row;
    return by_key;
  }();
  static const auto by_mnemonic = [] {
    std::array<const OpRow*, ZYDIS_MNEMONIC_MAX_VALUE + 1> t{};
    for (const OpRow& row : kOps)
      if (row.form == OpForm::kAny) t[row.mnemonic] = &row;
    return t;
  }();
  if (form == OpForm::kAny) return by_mnemonic[mnemonic];
  auto it = index.find({mnemonic, form});
  return it == index.end() ? nullptr : it->second;
}

namespace {
// Instructions that raise #UD in real-address and virtual-8086 mode (SDM
// vol. 2, each one's exceptions): they name descriptors or selectors.
bool protected_mode_only(ZydisMnemonic m) {
  switch (m) {
    case ZYDIS_MNEMONIC_LAR: case ZYDIS_MNEMONIC_LSL: case ZYDIS_MNEMONIC_VERR: case ZYDIS_MNEMONIC_VERW:
    case ZYDIS_MNEMONIC_LLDT: case ZYDIS_MNEMONIC_LTR: case ZYDIS_MNEMONIC_SLDT: case ZYDIS_MNEMONIC_STR:
    case ZYDIS_MNEMONIC_ARPL: return true;
    default: return false;
  }
}
}  // namespace

Flow emit_helper(BlockBuilder& b, const Insn& insn, const OpRow* op) {
  if (!op || !op->helper) return emit_unsupported(b, insn);
  if ((!(b.mode() & mode::kProtected) || (b.mode() & mode::kV86)) && protected_mode_only(insn.mnemonic())) {
    b.call_helper(helper_undefined, "undefined", insn);
    return Flow::kEndBlock;
  }
  // CPL is part of the block mode: a privileged instruction at CPL > 0 is
  // #GP(0) whatever the state, counted under its own exit cause.
  b.call_helper(op->cpl0 && b.cpl() != 0 ? helper_general_protection : op->helper, op->cause, insn);
  return op->ends_block ? Flow::kEndBlock : Flow::kContinue;
}

Flow emit_system(BlockBuilder& b, const Insn& insn) { return emit_helper(b, insn, find_op(insn.mnemonic())); }

Flow emit_unsupported(BlockBuilder& b, const Insn& insn) {
  b.call_helper(helper_unsupported, "unsupported", insn);
  return Flow::kEndBlock;
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
  const OpRow* op = find_op(insn.mnemonic());
  if (!op) return emit_ident(b, insn);
  return op->emit ? op->emit(b, insn) : emit_helper(b, insn, op);
}

}  // namespace bt86
