// String instructions, expanded into host loops over the window. The step
// direction comes from frame.string_stride (a mirror of EFLAGS.DF kept by
// cld/std/popf/iret), so no flag is tested. A rep loop polls the safepoint
// each iteration; the state there is an architectural iteration boundary.
#include "emit/emit.h"
#include "emit/host_regs.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;
namespace hr = hostreg;

namespace {

Gp sized(const Gp& r32, unsigned width) {
  return width == 1 ? r32.r8Lo() : width == 2 ? r32.r16() : r32;
}

// Linear address of DS:ESI (segment overridable) or ES:EDI (DS:SI or ES:DI
// with a 16-bit address size), as a 64-bit register, after the segment
// check of `width` bytes there; in a bounce block, where to access them
// (a read, or a write when `write`).
struct StringAccess {
  BlockBuilder& b;
  const Insn& insn;
  unsigned width;
  bool addr16;
  Gp operator()(unsigned seg, const Gp& index32, const Gp& scratch32, bool write) const {
    Assembler& a = b.a();
    if (addr16) a.movzx(scratch32, index32.r16());
    if (segment_is_plain(b, seg, write) && !b.redirecting()) return addr16 ? scratch32.r64() : index32.r64();
    if (!addr16) a.mov(scratch32, index32);
    check_access(b, insn, seg, scratch32, width, write);
    add_segment_base(b, seg, scratch32);
    redirect_access(b, insn, scratch32, width, !write, write);
    return scratch32.r64();
  }
};

// Jumps to `to` when the count register (ECX, or CX with a 16-bit address
// size) is zero, without touching flags: jecxz tests all of RCX, so CX is
// swapped into RCX for the test.
void jump_if_count_zero(Assembler& a, bool addr16, const Label& to) {
  if (!addr16) {
    a.jecxz(x86::rcx, to);
    return;
  }
  Label zero = a.newLabel(), nonzero = a.newLabel();
  a.movzx(hr::kTmp2, x86::cx);
  a.xchg(x86::rcx, hr::kTmp2.r64());
  a.jecxz(x86::rcx, zero);
  a.xchg(x86::rcx, hr::kTmp2.r64());
  a.jmp(nonzero);
  a.bind(zero);
  a.xchg(x86::rcx, hr::kTmp2.r64());
  a.jmp(to);
  a.bind(nonzero);
}

unsigned source_segment(const Insn& insn) {
  for (unsigned i = 0; i < insn.info.operand_count; ++i)
    if (insn.ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY &&
        (insn.ops[i].mem.base == ZYDIS_REGISTER_ESI || insn.ops[i].mem.base == ZYDIS_REGISTER_SI))
      return static_cast<unsigned>(segment_of(insn.ops[i].mem.segment));
  return kDs;
}

}  // namespace

Flow emit_string(BlockBuilder& b, const Insn& insn) {
  // MOVSD and CMPSD also name the SSE2 scalar-double instructions.
  for (unsigned i = 0; i < insn.info.operand_count; ++i)
    if (insn.ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER && ZydisRegisterGetClass(insn.ops[i].reg.value) == ZYDIS_REGCLASS_XMM)
      return emit_ident(b, insn);
  const bool addr16 = insn.info.address_width == 16;
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
  const StringAccess string_address{b, insn, width, addr16};

  Label top = a.newLabel(), done = a.newLabel(), finished = a.newLabel();
  if (rep) {
    // jecxz reaches only 127 bytes, less than a body with segment checks:
    // it jumps back to this trampoline instead.
    a.jmp(top);
    a.bind(finished);
    a.jmp(done);
  }
  a.bind(top);
  if (rep) {
    jump_if_count_zero(a, addr16, finished);
    a.mov(hr::kTmp, poll);
  }
  bool uses_esi = false, uses_edi = false;
  switch (m) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD: {
      Gp src = string_address(src_seg, x86::esi, hr::kAddr, false);
      a.mov(tmp, hr::guest_mem(src, width));
      Gp dst = string_address(kEs, x86::edi, hr::kAddr, true);
      a.mov(hr::guest_mem(dst, width), tmp);
      commit_access(b, insn);
      uses_esi = uses_edi = true;
      break;
    }
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD: {
      Gp dst = string_address(kEs, x86::edi, hr::kAddr, true);
      a.mov(hr::guest_mem(dst, width), acc);
      commit_access(b, insn);
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
  // (16-bit lea writes SI/DI/CX only: the 16-bit wrap, upper halves kept.)
  if (uses_esi) a.lea(addr16 ? Gp(x86::si) : Gp(x86::esi), ptr(x86::rsi, hr::kTmp2.r64(), shift));
  if (uses_edi) a.lea(addr16 ? Gp(x86::di) : Gp(x86::edi), ptr(x86::rdi, hr::kTmp2.r64(), shift));
  if (rep) {
    a.lea(addr16 ? Gp(x86::cx) : Gp(x86::ecx), ptr(x86::rcx, -1));
    if (compares) {
      jump_if_count_zero(a, addr16, done);
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
  redirect_access(b, insn, hr::kAddr, 1, true, false);
  a.mov(x86::al, hr::guest_mem(hr::kAddr.r64(), 1));
  return Flow::kContinue;
}

}  // namespace bt86
