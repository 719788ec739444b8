#include "bt86/segmentation/cpu_model.h"

#include <array>
#include <iterator>

namespace bt86 {

namespace {

// Instruction sets every family-6 CPU has, whatever CPUID says.
constexpr ZydisISASet kBaseSets[] = {
    ZYDIS_ISA_SET_I86,       ZYDIS_ISA_SET_I186,     ZYDIS_ISA_SET_I286PROTECTED, ZYDIS_ISA_SET_I286REAL,
    ZYDIS_ISA_SET_I386,      ZYDIS_ISA_SET_I486,     ZYDIS_ISA_SET_I486REAL,      ZYDIS_ISA_SET_PENTIUMREAL,
    ZYDIS_ISA_SET_PPRO,      ZYDIS_ISA_SET_RDPMC,    ZYDIS_ISA_SET_FAT_NOP,       ZYDIS_ISA_SET_PAUSE,
    ZYDIS_ISA_SET_LAHF,
};

// Instruction sets that a CPUID flag announces (SDM vol. 2, each
// instruction's "CPUID Feature Flag"). Sets in neither table are #UD.
struct SetFeature {
  ZydisISASet set;
  CpuidFeature feature;
};
constexpr SetFeature kSetFeatures[] = {
    {ZYDIS_ISA_SET_X87, feature::kFpu},
    {ZYDIS_ISA_SET_CMOV, feature::kCmov},
    {ZYDIS_ISA_SET_FCMOV, feature::kCmov},  // with the FPU
    {ZYDIS_ISA_SET_PENTIUMMMX, feature::kMmx},
    {ZYDIS_ISA_SET_FXSAVE, feature::kFxsr},
    {ZYDIS_ISA_SET_SSE, feature::kSse},
    {ZYDIS_ISA_SET_SSEMXCSR, feature::kSse},
    {ZYDIS_ISA_SET_SSE_PREFETCH, feature::kSse},
    {ZYDIS_ISA_SET_SSE2, feature::kSse2},
    {ZYDIS_ISA_SET_SSE2MMX, feature::kSse2},
    {ZYDIS_ISA_SET_SSE3, feature::kSse3},
    {ZYDIS_ISA_SET_SSE3X87, feature::kSse3},
    {ZYDIS_ISA_SET_SSSE3, feature::kSsse3},
    {ZYDIS_ISA_SET_SSSE3MMX, feature::kSsse3},
    {ZYDIS_ISA_SET_SSE4, feature::kSse41},
    {ZYDIS_ISA_SET_SSE42, feature::kSse42},
    {ZYDIS_ISA_SET_POPCNT, feature::kPopcnt},
    {ZYDIS_ISA_SET_CLFSH, feature::kClflush},
    {ZYDIS_ISA_SET_CLFLUSHOPT, feature::kClflushopt},
    {ZYDIS_ISA_SET_CLWB, feature::kClwb},
    {ZYDIS_ISA_SET_MONITOR, feature::kMonitor},
    {ZYDIS_ISA_SET_MOVBE, feature::kMovbe},
    {ZYDIS_ISA_SET_PCLMULQDQ, feature::kPclmulqdq},
    {ZYDIS_ISA_SET_AES, feature::kAes},
    {ZYDIS_ISA_SET_XSAVE, feature::kXsave},
    {ZYDIS_ISA_SET_RDRAND, feature::kRdrand},
    {ZYDIS_ISA_SET_RDSEED, feature::kRdseed},
    {ZYDIS_ISA_SET_ADOX_ADCX, feature::kAdx},
    {ZYDIS_ISA_SET_BMI1, feature::kBmi1},
    {ZYDIS_ISA_SET_BMI2, feature::kBmi2},
    {ZYDIS_ISA_SET_LZCNT, feature::kLzcnt},
    {ZYDIS_ISA_SET_SHA, feature::kSha},
    {ZYDIS_ISA_SET_AVX, feature::kAvx},
    {ZYDIS_ISA_SET_AVX2, feature::kAvx2},
    {ZYDIS_ISA_SET_F16C, feature::kF16c},
    {ZYDIS_ISA_SET_FMA, feature::kFma},
    {ZYDIS_ISA_SET_VTX, feature::kVmx},
    {ZYDIS_ISA_SET_SMX, feature::kSmx},
    {ZYDIS_ISA_SET_SVM, feature::kSvm},
    {ZYDIS_ISA_SET_RTM, feature::kRtm},
    {ZYDIS_ISA_SET_MPX, feature::kMpx},
    {ZYDIS_ISA_SET_CET, feature::kCetSs},
    {ZYDIS_ISA_SET_SMAP, feature::kSmap},
    {ZYDIS_ISA_SET_INVPCID, feature::kInvpcid},
    {ZYDIS_ISA_SET_PKU, feature::kPku},
    {ZYDIS_ISA_SET_RDPID, feature::kRdpid},
    {ZYDIS_ISA_SET_RDTSCP, feature::kRdtscp},
    {ZYDIS_ISA_SET_AMD, feature::kSyscall},  // syscall, sysret outside long mode
    {ZYDIS_ISA_SET_PREFETCH_NOP, feature::kPrefetchw},  // 0F 0D
    {ZYDIS_ISA_SET_AMD3DNOW, feature::k3dnow},
    {ZYDIS_ISA_SET_SSE4A, feature::kSse4a},
    {ZYDIS_ISA_SET_XOP, feature::kXop},
    {ZYDIS_ISA_SET_FMA4, feature::kFma4},
    {ZYDIS_ISA_SET_TBM, feature::kTbm},
    {ZYDIS_ISA_SET_MONITORX, feature::kMonitorx},
    {ZYDIS_ISA_SET_GFNI, feature::kGfni},
    {ZYDIS_ISA_SET_WAITPKG, feature::kWaitpkg},
    {ZYDIS_ISA_SET_MOVDIR, feature::kMovdiri},
    {ZYDIS_ISA_SET_SERIALIZE, feature::kSerialize},
};

// Instructions whose flag is not their set's: the base sets hold some
// (Pentium: cmpxchg8b, rdtsc, rdmsr/wrmsr; Pentium Pro: sysenter/sysexit,
// fcomi), and Zydis files the SSE integer forms on MMX registers (Pentium
// III) with MMX.
struct OwnFeature {
  ZydisMnemonic mnemonic;
  ZydisISASet set;
  CpuidFeature feature;
};
constexpr OwnFeature kOwnFeatures[] = {
    {ZYDIS_MNEMONIC_CMPXCHG8B, ZYDIS_ISA_SET_PENTIUMREAL, feature::kCx8},
    {ZYDIS_MNEMONIC_RDTSC, ZYDIS_ISA_SET_PENTIUMREAL, feature::kTsc},
    {ZYDIS_MNEMONIC_RDMSR, ZYDIS_ISA_SET_PENTIUMREAL, feature::kMsr},
    {ZYDIS_MNEMONIC_WRMSR, ZYDIS_ISA_SET_PENTIUMREAL, feature::kMsr},
    {ZYDIS_MNEMONIC_SYSENTER, ZYDIS_ISA_SET_PPRO, feature::kSep},
    {ZYDIS_MNEMONIC_SYSEXIT, ZYDIS_ISA_SET_PPRO, feature::kSep},
    {ZYDIS_MNEMONIC_FCOMI, ZYDIS_ISA_SET_PPRO, feature::kCmov},  // with the FPU
    {ZYDIS_MNEMONIC_FCOMIP, ZYDIS_ISA_SET_PPRO, feature::kCmov},
    {ZYDIS_MNEMONIC_FUCOMI, ZYDIS_ISA_SET_PPRO, feature::kCmov},
    {ZYDIS_MNEMONIC_FUCOMIP, ZYDIS_ISA_SET_PPRO, feature::kCmov},
    {ZYDIS_MNEMONIC_MASKMOVQ, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
    {ZYDIS_MNEMONIC_MOVNTQ, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
    {ZYDIS_MNEMONIC_PAVGB, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
    {ZYDIS_MNEMONIC_PAVGW, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
    {ZYDIS_MNEMONIC_PEXTRW, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
    {ZYDIS_MNEMONIC_PINSRW, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
    {ZYDIS_MNEMONIC_PMAXSW, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
    {ZYDIS_MNEMONIC_PMAXUB, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
    {ZYDIS_MNEMONIC_PMINSW, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
    {ZYDIS_MNEMONIC_PMINUB, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
    {ZYDIS_MNEMONIC_PMULHUW, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
    {ZYDIS_MNEMONIC_PSADBW, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
    {ZYDIS_MNEMONIC_PSHUFW, ZYDIS_ISA_SET_PENTIUMMMX, feature::kSse},
};

struct Model {
  std::array<bool, ZYDIS_ISA_SET_MAX_VALUE + 1> sets{};
  std::array<const OwnFeature*, ZYDIS_MNEMONIC_MAX_VALUE + 1> own{};
  std::array<bool, std::size(kOwnFeatures)> own_announced{};
};

const Model& model() {
  static const Model built = [] {
    Model m;
    for (ZydisISASet s : kBaseSets) m.sets[s] = true;
    for (const SetFeature& f : kSetFeatures) m.sets[f.set] = guest_has(f.feature);
    for (size_t i = 0; i < std::size(kOwnFeatures); ++i) {
      m.own[kOwnFeatures[i].mnemonic] = &kOwnFeatures[i];
      m.own_announced[i] = guest_has(kOwnFeatures[i].feature);
    }
    return m;
  }();
  return built;
}

}  // namespace

bool cpu_model_knows(const CpuidFeature& f) {
  auto same = [&](const CpuidFeature& g) { return g.leaf == f.leaf && g.reg == f.reg && g.bit == f.bit; };
  for (const SetFeature& s : kSetFeatures)
    if (same(s.feature)) return true;
  for (const OwnFeature& o : kOwnFeatures)
    if (same(o.feature)) return true;
  return false;
}

bool cpu_implements(const ZydisDecodedInstruction& insn) {
  const Model& m = model();
  if (const OwnFeature* o = m.own[insn.mnemonic]; o && o->set == insn.meta.isa_set)
    return m.own_announced[static_cast<size_t>(o - kOwnFeatures)];
  return m.sets[insn.meta.isa_set];
}

bool needs_osfxsr(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops) {
  switch (insn.meta.isa_set) {
    case ZYDIS_ISA_SET_SSE: case ZYDIS_ISA_SET_SSE2: case ZYDIS_ISA_SET_SSE3: case ZYDIS_ISA_SET_SSSE3:
    case ZYDIS_ISA_SET_SSE4: case ZYDIS_ISA_SET_SSE42: break;
    case ZYDIS_ISA_SET_SSEMXCSR: return true;  // ldmxcsr, stmxcsr
    default: return false;
  }
  switch (insn.mnemonic) {  // MXCSR's conversions, also from memory
    case ZYDIS_MNEMONIC_CVTSS2SI: case ZYDIS_MNEMONIC_CVTTSS2SI: case ZYDIS_MNEMONIC_CVTSD2SI:
    case ZYDIS_MNEMONIC_CVTTSD2SI: return true;
    default: break;
  }
  for (unsigned i = 0; i < insn.operand_count; ++i)
    if (ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER && ZydisRegisterGetClass(ops[i].reg.value) == ZYDIS_REGCLASS_XMM)
      return true;
  return false;
}

const ZydisDecoder& guest_decoder(bool code32) {
  static const auto make = [](ZydisMachineMode machine, ZydisStackWidth stack) {
    static const struct {
      ZydisDecoderMode mode;
      CpuidFeature feature;
    } kModes[] = {
        {ZYDIS_DECODER_MODE_MPX, feature::kMpx},     {ZYDIS_DECODER_MODE_CET, feature::kCetIbt},
        {ZYDIS_DECODER_MODE_LZCNT, feature::kLzcnt}, {ZYDIS_DECODER_MODE_TZCNT, feature::kBmi1},
        {ZYDIS_DECODER_MODE_CLDEMOTE, feature::kCldemote},
    };
    ZydisDecoder d;
    ZydisDecoderInit(&d, machine, stack);
    for (const auto& entry : kModes)
      ZydisDecoderEnableMode(&d, entry.mode, guest_has(entry.feature) ? ZYAN_TRUE : ZYAN_FALSE);
    ZydisDecoderEnableMode(&d, ZYDIS_DECODER_MODE_WBNOINVD, ZYAN_FALSE);  // no CPUID flag (Ice Lake on)
    return d;
  };
  static const ZydisDecoder d32 = make(ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
  static const ZydisDecoder d16 = make(ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
  return code32 ? d32 : d16;
}

}  // namespace bt86
