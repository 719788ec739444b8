// Memory accesses in bounce blocks, and of adaptive instructions in any
// block (dispatch/adaptive_sites.h), which redirect theirs the same way. A bounce block is the one instruction
// whose access faulted because its bytes are not plain RAM in the window: a
// device, open bus (physical memory nobody backs), or the 4 GiB wrap (the
// access ran into the guard region above or below the window). Its every
// access first asks the engine where to go (redirect_access, answered by
// Engine::run_access through the access thunk), so expansions (push, pop,
// call, ret, string instructions ...) and ident instructions alike run
// natively on the bytes the engine chose.
#include <stdexcept>

#include "emit/emit.h"
#include "emit/host_regs.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;
namespace hr = hostreg;

void redirect_access(BlockBuilder& b, const Insn& insn, const Gp& reg, unsigned size, bool read, bool write) {
  if (!b.redirecting()) return;
  if (reg.id() < r9.id() || reg.id() > r11.id()) throw std::logic_error("redirect_access: not a scratch register");
  Assembler& a = b.a();
  const size_t address = offsetof(CpuFrame, access_address);
  a.mov(hr::frame_field(address, 4), reg.r32());
  b.call_access(insn, access_step::redirect(size, read, write));
  a.mov(reg.r64(), hr::frame_field(address, 8));
}

void commit_access(BlockBuilder& b, const Insn& insn) {
  if (b.redirecting()) b.call_access(insn, access_step::kCommit);
}

}  // namespace bt86
