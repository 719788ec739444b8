// Instruction fetch against the CS limit (SDM vol. 3, 5.3), in blocks whose
// mode has CS's "checked" bit; flat blocks get nothing. Every instruction
// checks its last byte before it runs (so falling through the limit faults
// at the first instruction that reaches past it), and every near transfer
// checks its target before it has any effect (so the fault names the jump,
// call or ret, with no push or pop done). Far transfers check the new EIP in
// their helpers.
#include "emit/emit.h"
#include "emit/host_regs.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;

namespace {
bool fetch_checked(const BlockBuilder& b) {
  return (b.mode() & mode::kProtected) && (b.mode() >> mode::kCheckedShift >> kCs & 1);
}

// r13d holds an offset: #GP(0) for insn unless it is within the CS limit.
// Fetch bounds always allow 0 upward, so only the upper sum matters: its
// high dword (read back through check_scratch) is zero exactly when the
// offset is allowed. No host flag changes; r12 and r13 are scratch here.
void check_r13(BlockBuilder& b, const Insn& insn) {
  Assembler& a = b.a();
  const size_t hi_adj = offsetof(CpuState, fetch_bounds) + offsetof(AccessBounds, hi_adj);
  const size_t scratch = offsetof(CpuFrame, check_scratch);
  a.mov(r12, hostreg::state_field(hi_adj, 8));
  a.lea(r12, ptr(r12, r13));
  a.mov(hostreg::frame_field(scratch, 8), r12);
  a.mov(r12d, hostreg::frame_field(scratch + 4, 4));
  Label ok = a.newLabel();
  a.xchg(r12, rcx);
  a.jecxz(rcx, ok);
  a.xchg(r12, rcx);
  a.jmp(b.segment_fault(insn, false));
  a.bind(ok);
  a.mov(rcx, r12);
}
}  // namespace

void check_fetch(BlockBuilder& b, const Insn& insn) {
  if (!fetch_checked(b)) return;
  b.a().mov(r13d, imm(static_cast<uint32_t>(insn.eip + insn.length() - 1)));
  check_r13(b, insn);
}

void check_target(BlockBuilder& b, const Insn& insn, uint32_t target) {
  if (!fetch_checked(b)) return;
  b.a().mov(r13d, imm(target));
  check_r13(b, insn);
}

void check_target(BlockBuilder& b, const Insn& insn, const Gp& target32) {
  if (!fetch_checked(b)) return;
  b.a().mov(r13d, target32.r32());
  check_r13(b, insn);
}

}  // namespace bt86
