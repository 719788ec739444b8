// String instructions, expanded into host loops over the window. The step
// direction comes from cpu.string_stride (a mirror of EFLAGS.DF kept by
// cld/std/popf/iret), so no flag is tested. A rep loop polls the safepoint
// each iteration; the state there is an architectural iteration boundary.
#include "emit.h"
#include "host_regs.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;
namespace hr = hostreg;

namespace {

Gp sized(const Gp& r32, unsigned width) {
  return width == 1 ? r32.r8Lo() : width == 2 ? r32.r16() : r32;
}

// Linear address of DS:ESI (segment overridable) or ES:EDI, as a 64-bit
// register, after the segment check of `width` bytes there.
struct StringAccess {
  BlockBuilder& b;
  const Insn& insn;
  unsigned width;
  Gp operator()(unsigned seg, const Gp& index32, const Gp& scratch32, bool write) const {
    Assembler& a = b.a();
    if (segment_is_plain(b, seg, write)) return index32.r64();
    a.mov(scratch32, index32);
    check_access(b, insn, seg, scratch32, width, write);
    add_segment_base(b, seg, scratch32);
    return scratch32.r64();
  }
};

unsigned source_segment(const Insn& insn) {
  for (unsigned i = 0; i < insn.info.operand_count; ++i)
    if (insn.ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY && insn.ops[i].mem.base == ZYDIS_REGISTER_ESI)
      return static_cast<unsigned>(segment_of(insn.ops[i].mem.segment));
  return kDs;
}

}  // namespace

Flow emit_string(BlockBuilder& b, const Insn& insn) {
  // MOVSD and CMPSD also name the SSE2 scalar-double instructions.
  for (unsigned i = 0; i < insn.info.operand_count; ++i)
    if (insn.ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER && ZydisRegisterGetClass(insn.ops[i].reg.value) == ZYDIS_REGCLASS_XMM)
      return emit_ident(b, insn);
  if (insn.info.address_width != 32) return emit_unsupported(b, insn);
  Assembler& a = b.a();
  const ZydisMnemonic m = insn.mnemonic();
  const unsigned width = insn.info.operand_width / 8;
  const bool rep = insn.info.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE);
  const bool compares = m == ZYDIS_MNEMONIC_CMPSB || m == ZYDIS_MNEMONIC_CMPSW || m == ZYDIS_MNEMONIC_CMPSD ||
                        m == ZYDIS_MNEMONIC_SCASB || m == ZYDIS_MNEMONIC_SCASW || m == ZYDIS_MNEMONIC_SCASD;
  const bool repne = insn.info.attributes & ZYDIS_ATTRIB_HAS_REPNE;
  const unsigned src_seg = source_segment(insn);
  const Gp acc = sized(x86::eax, width), tmp = sized(hr::kTmp, width);
  const Mem poll = ptr_rel(reinterpret_cast<uint64_t>(b.poll_page()), 4);
  const StringAccess string_address{b, insn, width};

  Label top = a.newLabel(), done = a.newLabel();
  a.bind(top);
  if (rep) {
    a.jecxz(x86::rcx, done);
    a.mov(hr::kTmp, poll);
  }
  bool uses_esi = false, uses_edi = false;
  switch (m) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD: {
      Gp src = string_address(src_seg, x86::esi, hr::kAddr, false);
      a.mov(tmp, hr::guest_mem(src, width));
      Gp dst = string_address(kEs, x86::edi, hr::kAddr, true);
      a.mov(hr::guest_mem(dst, width), tmp);
      uses_esi = uses_edi = true;
      break;
    }
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD: {
      Gp dst = string_address(kEs, x86::edi, hr::kAddr, true);
      a.mov(hr::guest_mem(dst, width), acc);
      uses_edi = true;
      break;
    }
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD: {
      Gp src = string_address(src_seg, x86::esi, hr::kAddr, false);
      a.mov(acc, hr::guest_mem(src, width));
      uses_esi = true;
      break;
    }
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSD: {
      Gp src = string_address(src_seg, x86::esi, hr::kAddr, false);
      a.mov(tmp, hr::guest_mem(src, width));
      Gp dst = string_address(kEs, x86::edi, hr::kAddr, false);
      a.cmp(tmp, hr::guest_mem(dst, width));  // flags of [esi] - [edi]
      uses_esi = uses_edi = true;
      break;
    }
    case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW: case ZYDIS_MNEMONIC_SCASD: {
      Gp dst = string_address(kEs, x86::edi, hr::kAddr, false);
      a.cmp(acc, hr::guest_mem(dst, width));
      uses_edi = true;
      break;
    }
    default:
      return emit_system(b, insn);  // ins/outs
  }
  a.mov(hr::kTmp2, hr::cpu_stride());
  uint32_t shift = width == 4 ? 2 : width == 2 ? 1 : 0;
  if (uses_esi) a.lea(x86::esi, ptr(x86::rsi, hr::kTmp2.r64(), shift));
  if (uses_edi) a.lea(x86::edi, ptr(x86::rdi, hr::kTmp2.r64(), shift));
  if (rep) {
    a.lea(x86::ecx, ptr(x86::rcx, -1));
    if (compares) {
      a.jecxz(x86::rcx, done);
      if (repne) a.jz(done);
      else a.jnz(done);
    }
    a.jmp(top);
  }
  a.bind(done);
  return Flow::kContinue;
}

Flow emit_xlat(BlockBuilder& b, const Insn& insn) {
  Assembler& a = b.a();
  a.movzx(hr::kAddr, x86::al);
  a.lea(hr::kAddr, ptr(x86::rbx, hr::kAddr.r64()));
  if (insn.info.address_width == 16) a.movzx(hr::kAddr, hr::kAddr.r16());
  unsigned seg = kDs;
  for (unsigned i = 0; i < insn.info.operand_count; ++i)
    if (insn.ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY) seg = static_cast<unsigned>(segment_of(insn.ops[i].mem.segment));
  check_access(b, insn, seg, hr::kAddr, 1, false);
  add_segment_base(b, seg, hr::kAddr);
  a.mov(x86::al, hr::guest_mem(hr::kAddr.r64(), 1));
  return Flow::kContinue;
}

}  // namespace bt86
