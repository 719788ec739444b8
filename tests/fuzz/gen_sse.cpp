// MMX, SSE, SSE2 and SSE3 (what bt86's CPUID reports): packed and scalar
// arithmetic, conversions, compares into EFLAGS, shuffles, moves between
// register files and memory, MXCSR loads (exceptions masked). Operands that
// SSE wants aligned are aligned, except now and then (a #GP then).
#include "families.h"

namespace bt86::fuzz {

using namespace asmjit;
namespace I = x86::Inst;

namespace {

x86::Xmm xmm(GenContext& g) { return x86::xmm(g.below(8)); }
x86::Mm mm(GenContext& g) { return x86::mm(g.below(8)); }

// xmm/m128 with the alignment legacy SSE demands (misaligned 3% of the time).
Operand xmm_or_m128(GenContext& g) {
  if (g.chance(50)) return xmm(g);
  return g.mem(16, 0, 16, g.chance(97) ? 16 : 0);
}
Operand xmm_or_mem(GenContext& g, unsigned size) { return g.chance(50) ? Operand(xmm(g)) : Operand(g.mem(size)); }

constexpr InstId kPacked[] = {
    I::kIdAddps, I::kIdSubps, I::kIdMulps, I::kIdDivps, I::kIdMinps, I::kIdMaxps, I::kIdSqrtps, I::kIdRcpps,
    I::kIdRsqrtps, I::kIdAndps, I::kIdAndnps, I::kIdOrps, I::kIdXorps, I::kIdUnpcklps, I::kIdUnpckhps,
    I::kIdAddpd, I::kIdSubpd, I::kIdMulpd, I::kIdDivpd, I::kIdMinpd, I::kIdMaxpd, I::kIdSqrtpd, I::kIdAndpd,
    I::kIdAndnpd, I::kIdOrpd, I::kIdXorpd, I::kIdUnpcklpd, I::kIdUnpckhpd, I::kIdCvtdq2ps, I::kIdCvtps2dq,
    I::kIdCvttps2dq, I::kIdCvtpd2dq, I::kIdCvttpd2dq, I::kIdCvtpd2ps, I::kIdAddsubps, I::kIdAddsubpd,
    I::kIdHaddps, I::kIdHaddpd, I::kIdHsubps, I::kIdHsubpd, I::kIdMovshdup, I::kIdMovsldup};

// Integer ops that exist for both xmm (SSE2) and mm (MMX/SSE) registers.
constexpr InstId kPackedInt[] = {
    I::kIdPaddb, I::kIdPaddw, I::kIdPaddd, I::kIdPaddq, I::kIdPsubb, I::kIdPsubw, I::kIdPsubd, I::kIdPsubq,
    I::kIdPaddsb, I::kIdPaddsw, I::kIdPaddusb, I::kIdPaddusw, I::kIdPsubsb, I::kIdPsubsw, I::kIdPsubusb,
    I::kIdPsubusw, I::kIdPmullw, I::kIdPmulhw, I::kIdPmulhuw, I::kIdPmuludq, I::kIdPmaddwd, I::kIdPsadbw,
    I::kIdPavgb, I::kIdPavgw, I::kIdPminub, I::kIdPmaxub, I::kIdPminsw, I::kIdPmaxsw, I::kIdPcmpeqb,
    I::kIdPcmpeqw, I::kIdPcmpeqd, I::kIdPcmpgtb, I::kIdPcmpgtw, I::kIdPcmpgtd, I::kIdPand, I::kIdPandn,
    I::kIdPor, I::kIdPxor, I::kIdPacksswb, I::kIdPackssdw, I::kIdPackuswb, I::kIdPunpcklbw, I::kIdPunpcklwd,
    I::kIdPunpckldq, I::kIdPunpckhbw, I::kIdPunpckhwd, I::kIdPunpckhdq, I::kIdPsllw, I::kIdPslld, I::kIdPsllq,
    I::kIdPsrlw, I::kIdPsrld, I::kIdPsrlq, I::kIdPsraw, I::kIdPsrad};

constexpr InstId kShiftImm[] = {I::kIdPsllw, I::kIdPslld, I::kIdPsllq, I::kIdPsrlw,
                                I::kIdPsrld, I::kIdPsrlq, I::kIdPsraw, I::kIdPsrad};

void packed(GenContext& g) {
  if (g.chance(45)) {
    g.emit(kPacked[g.below(std::size(kPacked))], {xmm(g), xmm_or_m128(g)});
  } else if (g.chance(80)) {
    InstId id = kPackedInt[g.below(std::size(kPackedInt))];
    g.emit(id, {xmm(g), xmm_or_m128(g)});
  } else {
    g.emit(g.pick({I::kIdPunpcklqdq, I::kIdPunpckhqdq}), {xmm(g), xmm_or_m128(g)});
  }
}

void packed_imm(GenContext& g) {
  switch (g.below(4)) {
    case 0:
      g.emit(g.pick({I::kIdCmpps, I::kIdCmppd, I::kIdShufps, I::kIdShufpd, I::kIdPshufd, I::kIdPshufhw,
                     I::kIdPshuflw}),
             {xmm(g), xmm_or_m128(g), Imm(g.below(256))});
      break;
    case 1: g.emit(kShiftImm[g.below(8)], {xmm(g), Imm(g.below(g.chance(80) ? 33 : 256))}); break;
    case 2: g.emit(g.pick({I::kIdPslldq, I::kIdPsrldq}), {xmm(g), Imm(g.below(20))}); break;
    default:
      if (g.chance(50)) g.emit(I::kIdPextrw, {g.gp32(), xmm(g), Imm(g.below(16))});
      else g.emit(I::kIdPinsrw, {xmm(g), g.chance(50) ? Operand(g.gp32()) : Operand(g.mem(2)), Imm(g.below(16))});
  }
}

void scalar(GenContext& g) {
  if (g.chance(50)) {
    InstId id = g.pick({I::kIdAddss, I::kIdSubss, I::kIdMulss, I::kIdDivss, I::kIdMinss, I::kIdMaxss,
                        I::kIdSqrtss, I::kIdRcpss, I::kIdRsqrtss, I::kIdCvtss2sd, I::kIdComiss, I::kIdUcomiss,
                        I::kIdCmpss});
    if (id == I::kIdCmpss) g.emit(id, {xmm(g), xmm_or_mem(g, 4), Imm(g.below(8))});
    else g.emit(id, {xmm(g), xmm_or_mem(g, 4)});
  } else {
    InstId id = g.pick({I::kIdAddsd, I::kIdSubsd, I::kIdMulsd, I::kIdDivsd, I::kIdMinsd, I::kIdMaxsd,
                        I::kIdSqrtsd, I::kIdCvtsd2ss, I::kIdComisd, I::kIdUcomisd, I::kIdCvtps2pd,
                        I::kIdCvtdq2pd, I::kIdMovddup, I::kIdCmpsd});
    if (id == I::kIdCmpsd) g.emit(id, {xmm(g), xmm_or_mem(g, 8), Imm(g.below(8))});
    else g.emit(id, {xmm(g), xmm_or_mem(g, 8)});
  }
}

void convert(GenContext& g) {
  switch (g.below(3)) {
    case 0: g.emit(g.pick({I::kIdCvtsi2ss, I::kIdCvtsi2sd}), {xmm(g), reg_or_mem(g, 4)}); break;
    case 1: g.emit(g.pick({I::kIdCvtss2si, I::kIdCvttss2si}), {g.gp32(), xmm_or_mem(g, 4)}); break;
    default: g.emit(g.pick({I::kIdCvtsd2si, I::kIdCvttsd2si}), {g.gp32(), xmm_or_mem(g, 8)});
  }
}

void moves(GenContext& g) {
  switch (g.below(9)) {
    case 0: {  // aligned
      InstId id = g.pick({I::kIdMovaps, I::kIdMovapd, I::kIdMovdqa});
      x86::Mem m = g.mem(16, 0, 16, g.chance(97) ? 16 : 0);
      if (g.chance(50)) g.emit(id, {xmm(g), g.chance(50) ? Operand(xmm(g)) : Operand(m)});
      else g.emit(g.chance(80) ? id : g.pick({I::kIdMovntps, I::kIdMovntdq}), {m, xmm(g)});
      break;
    }
    case 1: {
      InstId id = g.pick({I::kIdMovups, I::kIdMovupd, I::kIdMovdqu});
      if (g.chance(50)) g.emit(g.chance(80) ? id : I::kIdLddqu, {xmm(g), g.mem(16)});
      else g.emit(id, {g.mem(16), xmm(g)});
      break;
    }
    case 2: {
      InstId id = g.pick({I::kIdMovlps, I::kIdMovhps, I::kIdMovlpd, I::kIdMovhpd});
      if (g.chance(50)) g.emit(id, {xmm(g), g.mem(8)});
      else g.emit(id, {g.mem(8), xmm(g)});
      break;
    }
    case 3: g.emit(g.pick({I::kIdMovhlps, I::kIdMovlhps, I::kIdMovss, I::kIdMovsd}), {xmm(g), xmm(g)}); break;
    case 4:
      if (g.chance(50)) g.emit(g.pick({I::kIdMovss, I::kIdMovd}), {xmm(g), g.mem(4)});
      else g.emit(g.pick({I::kIdMovss, I::kIdMovd}), {g.mem(4), xmm(g)});
      break;
    case 5:
      if (g.chance(50)) g.emit(g.pick({I::kIdMovsd, I::kIdMovq}), {xmm(g), g.mem(8)});
      else g.emit(g.pick({I::kIdMovsd, I::kIdMovq}), {g.mem(8), xmm(g)});
      break;
    case 6:
      if (g.chance(50)) g.emit(I::kIdMovd, {xmm(g), g.gp32()});
      else g.emit(I::kIdMovd, {g.gp32(), xmm(g)});
      break;
    case 7: g.emit(g.pick({I::kIdMovmskps, I::kIdMovmskpd, I::kIdPmovmskb}), {g.gp32(), xmm(g)}); break;
    default: g.emit(I::kIdMovq, {xmm(g), xmm(g)});
  }
}

// MXCSR: any rounding, FTZ and DAZ, sticky flags; every exception masked.
void mxcsr(GenContext& g) {
  x86::Mem m = g.mem(4);
  if (g.chance(50)) {
    g.emit(I::kIdMov, {m, Imm(0x1F80 | (g.u32() & 0xE07F))});
    g.emit(I::kIdLdmxcsr, {m});
  } else {
    g.emit(I::kIdStmxcsr, {m});
  }
}

void mmx(GenContext& g) {
  auto mm_or_m64 = [&]() { return g.chance(50) ? Operand(mm(g)) : Operand(g.mem(8)); };
  switch (g.below(8)) {
    case 0: case 1: case 2: g.emit(kPackedInt[g.below(std::size(kPackedInt))], {mm(g), mm_or_m64()}); break;
    case 3: g.emit(kShiftImm[g.below(8)], {mm(g), Imm(g.below(g.chance(80) ? 33 : 256))}); break;
    case 4:
      if (g.chance(50)) g.emit(I::kIdMovq, {mm(g), mm_or_m64()});
      else g.emit(I::kIdMovq, {g.mem(8), mm(g)});
      break;
    case 5:
      if (g.chance(50)) g.emit(I::kIdMovd, {mm(g), reg_or_mem(g, 4)});
      else g.emit(I::kIdMovd, {reg_or_mem(g, 4), mm(g)});
      break;
    case 6:
      switch (g.below(5)) {
        case 0: g.emit(I::kIdPshufw, {mm(g), mm_or_m64(), Imm(g.below(256))}); break;
        case 1: g.emit(I::kIdMovq2dq, {xmm(g), mm(g)}); break;
        case 2: g.emit(I::kIdMovdq2q, {mm(g), xmm(g)}); break;
        case 3: g.emit(I::kIdPmovmskb, {g.gp32(), mm(g)}); break;
        default: g.emit(g.pick({I::kIdCvtpi2ps, I::kIdCvtpi2pd}), {xmm(g), mm_or_m64()});
      }
      break;
    default:
      if (g.chance(50)) g.emit(g.pick({I::kIdCvtps2pi, I::kIdCvttps2pi}), {mm(g), xmm_or_mem(g, 8)});
      else g.emit(I::kIdEmms, {});
  }
}

// maskmovq/maskmovdqu: the bytes whose mask byte has its top bit set, stored
// at DS:EDI (DI with a 67 prefix), now and then with a redundant override.
void maskmov(GenContext& g) {
  const bool wide = g.chance(50), addr16 = g.chance(25);
  const uint32_t target = FUZZ_DATA_BASE + 16 + g.below(kOperandEnd - 32);
  g.emit(I::kIdMov, {x86::edi, Imm(addr16 ? (g.u32() & 0xFFFF0000) | target : target)});
  std::vector<uint8_t> bytes;
  if (g.chance(15)) bytes.push_back(g.pick({uint8_t{0x3E}, uint8_t{0x26}, uint8_t{0x36}}));  // ds es ss
  if (addr16) bytes.push_back(0x67);
  if (wide) bytes.push_back(0x66);
  bytes.insert(bytes.end(), {0x0F, 0xF7, static_cast<uint8_t>(0xC0 | g.below(8) << 3 | g.below(8))});
  g.emit_raw(bytes, wide ? I::kIdMaskmovdqu : I::kIdMaskmovq);
}

constexpr Gen kGens[] = {
    {"sse_packed", 12, packed}, {"sse_packed_imm", 5, packed_imm}, {"sse_scalar", 8, scalar},
    {"sse_convert", 4, convert}, {"sse_moves", 8, moves},           {"sse_mxcsr", 2, mxcsr},
    {"mmx", 8, mmx},           {"sse_maskmov", 2, maskmov},
};

}  // namespace

std::span<const Gen> sse_gens() { return kGens; }

}  // namespace bt86::fuzz
