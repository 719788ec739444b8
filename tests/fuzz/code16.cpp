#include "code16.h"

#include <fmt/format.h>

#include <stdexcept>

namespace bt86::fuzz {

using namespace asmjit;
namespace I = x86::Inst;

namespace {

// Jumps keep their targets as labels: always the rel32 forms (rel8 for the
// loops), with 0x66 so EIP is not truncated, as the 32-bit original.
void emit_jump(x86::Assembler& a, InstId id, const Label& target) {
  static const InstId jcc[] = {I::kIdJo, I::kIdJno, I::kIdJb,  I::kIdJnb,  I::kIdJz, I::kIdJnz, I::kIdJbe, I::kIdJnbe,
                               I::kIdJs, I::kIdJns, I::kIdJp,  I::kIdJnp,  I::kIdJl, I::kIdJnl, I::kIdJle, I::kIdJnle};
  std::vector<uint8_t> op;
  size_t rel = 4;
  if (id == I::kIdJmp) op = {0x66, 0xE9};
  else if (id == I::kIdCall) op = {0x66, 0xE8};
  else if (id == I::kIdLoop) op = {0x66, 0x67, 0xE2}, rel = 1;  // 0x67: ECX, as in 32-bit code
  else if (id == I::kIdLoope) op = {0x66, 0x67, 0xE1}, rel = 1;
  else if (id == I::kIdLoopne) op = {0x66, 0x67, 0xE0}, rel = 1;
  else if (id == I::kIdJecxz) op = {0x66, 0x67, 0xE3}, rel = 1;
  for (unsigned cc = 0; cc < 16 && op.empty(); ++cc)
    if (jcc[cc] == id) op = {0x66, 0x0F, static_cast<uint8_t>(0x80 + cc)};
  if (op.empty()) throw std::runtime_error("code16: a jump AsmJit id it does not know");
  const Label after = a.newLabel();
  a.embed(op.data(), op.size());
  a.embedLabelDelta(target, after, rel);
  a.bind(after);
}

}  // namespace

std::vector<uint8_t> toggle_size_prefixes(std::span<const uint8_t> insn) {
  // The legacy prefixes lead (the generator makes no REX or VEX forms).
  auto is_prefix = [](uint8_t b) {
    for (uint8_t p : {0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65})
      if (b == p) return true;
    return false;
  };
  size_t n = 0;
  while (n < insn.size() && is_prefix(insn[n])) ++n;
  std::vector<uint8_t> out;
  bool opsize = false, addrsize = false;
  for (size_t i = 0; i < n; ++i) {
    opsize |= insn[i] == 0x66;
    addrsize |= insn[i] == 0x67;
    if (insn[i] != 0x66 && insn[i] != 0x67) out.push_back(insn[i]);
  }
  if (!opsize) out.push_back(0x66);
  if (!addrsize) out.push_back(0x67);
  out.insert(out.end(), insn.begin() + static_cast<std::ptrdiff_t>(n), insn.end());
  return out;
}

void emit_code16(x86::Assembler& a, const Item& it, const std::vector<Operand>& ops, const Label& label) {
  if (!it.raw.empty()) {
    if (it.rel16_target) throw std::runtime_error("code16: a rel16 to an absolute address");
    const std::vector<uint8_t> bytes = toggle_size_prefixes(it.raw);
    a.embed(bytes.data(), bytes.size());
    if (it.rel16_local >= 0) {
      const Label after = a.newLabel();
      a.embedLabelDelta(label, after, 2);
      a.bind(after);
    }
    return;
  }
  if (it.jump_to != kNoJump || it.jump_local >= 0) return emit_jump(a, it.id, label);
  if (it.lea_local >= 0) {  // lea r32, [label]: 32-bit operand and address
    const uint8_t bytes[] = {0x66, 0x67, 0x8D, static_cast<uint8_t>(0x05 | ops[0].as<x86::Gp>().id() << 3)};
    a.embed(bytes, sizeof bytes);
    a.embedLabel(label, 4);
    return;
  }
  // Anything else does not depend on where it is: assemble it alone.
  CodeHolder code;
  code.init(Environment(Arch::kX86));
  x86::Assembler one(&code);
  one.addInstOptions(it.options);
  if (Error e = one.emitOpArray(it.id, ops.data(), ops.size())) {
    String name;
    InstAPI::instIdToString(Arch::kX86, it.id, name);
    throw std::runtime_error(fmt::format("AsmJit refuses {}: {}", name.data(), DebugUtils::errorAsString(e)));
  }
  const CodeBuffer& buf = code.textSection()->buffer();
  const std::vector<uint8_t> bytes = toggle_size_prefixes({buf.data(), buf.size()});
  a.embed(bytes.data(), bytes.size());
}

}  // namespace bt86::fuzz
