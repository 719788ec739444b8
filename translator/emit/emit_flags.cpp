// cli, sti, pushf and popf inline at CPL 0, where IOPL always allows them
// (elsewhere, and for 16-bit operands, they stay C++ helpers). The virtual
// bits of EFLAGS (IF, IOPL, AC ...) live in cpu.eflags, whose host-live bits
// read as zero while translated code runs (see stubs.cpp, load_flags).
#include <array>

#include "emit/emit.h"
#include "emit/host_regs.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;
namespace hr = hostreg;

namespace {

// Byte-wide bit edits through 256-entry tables: a table lookup is the only
// way to clear or set one bit of a byte without touching host flags.
template <uint8_t Clear, uint8_t Set>
constexpr std::array<uint8_t, 256> byte_table() {
  std::array<uint8_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) t[i] = static_cast<uint8_t>((i & ~Clear) | Set);
  return t;
}
constexpr uint8_t kIfInByte1 = eflags::kIF >> 8;
constexpr uint8_t kRfVmInByte2 = (eflags::kRF | eflags::kVM) >> 16;
constexpr auto kClearIf = byte_table<kIfInByte1, 0>();
constexpr auto kSetIf = byte_table<0, kIfInByte1>();
constexpr auto kClearRfVm = byte_table<kRfVmInByte2, 0>();

bool inline_allowed(const BlockBuilder& b, const Insn& insn) {
  return b.cpl() == 0 && insn.info.operand_width == 32;
}

// byte [cpu.eflags + index] := table[that byte].
void edit_eflags_byte(Assembler& a, unsigned index, const std::array<uint8_t, 256>& table) {
  const Mem byte = hr::state_field(offsetof(CpuState, eflags) + index, 1);
  a.movzx(hr::kTmp, byte);
  a.mov(hr::kTmp2.r64(), imm(reinterpret_cast<uint64_t>(table.data())));
  a.movzx(hr::kTmp, byte_ptr(hr::kTmp2.r64(), hr::kTmp.r64()));
  a.mov(byte, hr::kTmp.r8Lo());
}

}  // namespace

Flow emit_cli_sti(BlockBuilder& b, const Insn& insn) {
  if (b.cpl() != 0) return emit_system(b, insn);
  Assembler& a = b.a();
  if (insn.mnemonic() == ZYDIS_MNEMONIC_CLI) {
    edit_eflags_byte(a, 1, kClearIf);
    return Flow::kContinue;
  }
  // sti with an interrupt waiting goes through the helper, whose exit opens
  // the interrupt window after the next instruction (Engine::run_helper).
  Label quiet = a.newLabel(), done = a.newLabel();
  a.mov(hr::kTmp, hr::frame_field(offsetof(CpuFrame, irq_pending), 4));
  a.xchg(hr::kTmp.r64(), rcx);
  a.jecxz(rcx, quiet);
  a.xchg(hr::kTmp.r64(), rcx);
  emit_system(b, insn);
  a.jmp(done);
  a.bind(quiet);
  a.mov(rcx, hr::kTmp.r64());
  edit_eflags_byte(a, 1, kSetIf);
  a.bind(done);
  return Flow::kContinue;
}

// pushfd: the host's live flags plus the virtual bits (host RFLAGS outside
// them is exactly IF and bit 1 at CPL 0: 0x202), VM and RF cleared.
Flow emit_pushf(BlockBuilder& b, const Insn& insn) {
  if (!inline_allowed(b, insn)) return emit_system(b, insn);
  Assembler& a = b.a();
  a.pushfq();
  a.pop(hr::kTmp.r64());
  a.mov(hr::kAddr, hr::cpu_eflags());
  a.lea(hr::kTmp, ptr(hr::kTmp.r64(), hr::kAddr.r64(), 0, -static_cast<int32_t>(eflags::kIF | eflags::kFixed1)));
  stack_address(b, insn, -4, hr::kTmp2, 4, true);
  redirect_access(b, insn, hr::kTmp2, 4, false, true);
  a.mov(hr::guest_mem(hr::kTmp2.r64(), 4), hr::kTmp);
  // The store above proved the slot writable; now clear RF and VM in it.
  a.movzx(hr::kAddr, hr::state_field(offsetof(CpuState, eflags) + 2, 1));
  a.mov(hr::kTmp.r64(), imm(reinterpret_cast<uint64_t>(kClearRfVm.data())));
  a.movzx(hr::kAddr, byte_ptr(hr::kTmp.r64(), hr::kAddr.r64()));
  a.mov(Mem(hr::kWindow, hr::kTmp2.r64(), 0, 2, 1), hr::kAddr.r8Lo());
  commit_access(b, insn);
  adjust_stack_pointer(b, -4);
  return Flow::kContinue;
}

// popfd: once the stack read succeeded the guest's arithmetic flags are
// dead (popf replaces them), so this code may compute with flags. Setting
// TF, or IF with an interrupt waiting, goes through the helper (it leaves
// translated code after the instruction); it reads the stack again.
Flow emit_popf(BlockBuilder& b, const Insn& insn) {
  if (!inline_allowed(b, insn)) return emit_system(b, insn);
  Assembler& a = b.a();
  constexpr uint32_t kKeep = eflags::kVM | eflags::kRF | eflags::kVIF | eflags::kVIP;
  Label slow = a.newLabel(), fast = a.newLabel(), done = a.newLabel();
  stack_address(b, insn, 0, hr::kTmp2, 4, false);
  redirect_access(b, insn, hr::kTmp2, 4, true, false);
  a.mov(hr::kTmp, hr::guest_mem(hr::kTmp2.r64(), 4));
  a.test(hr::kTmp, eflags::kTF);
  a.jnz(slow);
  a.test(hr::kTmp, eflags::kIF);
  a.jz(fast);
  a.cmp(hr::frame_field(offsetof(CpuFrame, irq_pending), 4), 0);
  a.jne(slow);
  a.bind(fast);
  a.mov(hr::kTmp2, hr::cpu_eflags());
  a.and_(hr::kTmp2, kKeep);
  a.and_(hr::kTmp, eflags::kImplemented & ~kKeep);
  a.or_(hr::kTmp2, hr::kTmp);                      // the new EFLAGS
  a.mov(hr::kAddr, hr::kTmp2);
  a.and_(hr::kAddr, ~eflags::kHostLive);
  a.or_(hr::kAddr, eflags::kFixed1);
  a.mov(hr::cpu_eflags(), hr::kAddr);              // its virtual bits
  a.mov(hr::kAddr, hr::kTmp2);                     // string stride: 1 - 2 * DF
  a.shr(hr::kAddr, 9);
  a.and_(hr::kAddr, 2);
  a.neg(hr::kAddr);
  a.inc(hr::kAddr);
  a.mov(hr::cpu_stride(), hr::kAddr);
  a.and_(hr::kTmp2, eflags::kHostLive);            // its live bits, into the host
  a.or_(hr::kTmp2, eflags::kFixed1);
  a.push(hr::kTmp2.r64());
  a.popfq();
  adjust_stack_pointer(b, 4);
  a.jmp(done);
  a.bind(slow);
  emit_system(b, insn);
  a.bind(done);
  return Flow::kContinue;
}

}  // namespace bt86
