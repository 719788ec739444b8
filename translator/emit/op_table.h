// The one table of the instructions that are not copied as ident: per
// mnemonic (for mov, per form) the emitter that expands it inline, the C++
// helper that carries it out where there is no emitter or the emitter
// hands over (a privileged, far, 16-bit or slow form), the exit cause the
// helper counts, whether that helper always leaves translated code (the
// block ends after it) and whether the instruction needs CPL 0: elsewhere
// it is #GP(0), decided when the block is translated (the CPL is part of
// the block mode), so no helper checks it.
#pragma once
#include "emit/emit.h"

namespace bt86 {

// Rows that one mnemonic has several of, by operand form.
enum class OpForm : uint8_t {
  kAny,
  kControlRegister,  // mov to/from CR0-CR4
  kDebugRegister,    // mov to/from DR0-DR7
  kToSegment,        // mov sreg, r/m16
};

struct OpRow {
  ZydisMnemonic mnemonic;
  OpForm form;
  Emitter emit;     // nullptr: the helper carries it out
  HelperFn helper;  // what emit_helper calls; nullptr: the emitter alone
  const char* cause;
  bool ends_block;  // the helper always leaves translated code
  bool cpl0;        // #GP(0) at CPL > 0
};

// The row of a mnemonic (and form); nullptr for an ident instruction.
const OpRow* find_op(ZydisMnemonic mnemonic, OpForm form = OpForm::kAny);
// Calls the row's helper for insn (#GP(0) instead where it needs CPL 0 and
// the block's CPL is not); an instruction without one is unsupported.
Flow emit_helper(BlockBuilder& b, const Insn& insn, const OpRow* op);

}  // namespace bt86
