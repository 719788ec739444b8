#include "program.h"

#include <Zydis/Zydis.h>
#include <fmt/format.h>

#include <stdexcept>

#include "code16.h"

namespace bt86::fuzz {

using namespace asmjit;

Assembled assemble(const Program& p, uint32_t base, const std::vector<bool>& keep, bool code16) {
  CodeHolder code;
  code.init(Environment(Arch::kX86), base);
  x86::Assembler a(&code);
  // Every unit id gets a label, bound where the unit is (or would be, when
  // dropped), so jumps land on the next kept unit.
  int max_id = 0;
  for (const Unit& u : p.units) max_id = std::max(max_id, u.id);
  std::vector<Label> labels(max_id + 2);
  for (Label& l : labels) l = a.newLabel();
  const Label end = labels.back();
  // A jump's target: the unit's label, or the end when no unit has that id.
  auto unit_label = [&](int id) {
    for (const Unit& t : p.units)
      if (t.id == id) return labels[id];
    return end;
  };

  Assembled out;
  for (size_t i = 0; i < p.units.size(); ++i) {
    const Unit& u = p.units[i];
    a.bind(labels[u.id]);
    if (!keep.empty() && !keep[i]) continue;
    std::vector<Label> locals(u.locals);
    std::vector<bool> bound(u.locals);
    for (Label& l : locals) l = a.newLabel();
    for (const Item& it : u.items) {
      if (it.bind_local >= 0) {
        a.bind(locals[it.bind_local]);
        bound[it.bind_local] = true;
      }
      out.starts.push_back(base + static_cast<uint32_t>(a.offset()));
      if (code16) {
        Label label = it.jump_to != kNoJump ? unit_label(it.jump_to) : Label();
        for (int local : {it.jump_local, it.lea_local, it.rel16_local})
          if (local >= 0) label = locals[local];
        emit_code16(a, it, it.ops, label);
        continue;
      }
      if (!it.raw.empty()) {
        a.embed(it.raw.data(), it.raw.size());
        if (it.rel16_target) {
          const uint32_t next = base + static_cast<uint32_t>(a.offset()) + 2;
          const auto rel = static_cast<uint16_t>(*it.rel16_target - next);
          const uint8_t bytes[2] = {static_cast<uint8_t>(rel), static_cast<uint8_t>(rel >> 8)};
          a.embed(bytes, 2);
        }
        continue;
      }
      std::vector<Operand> ops = it.ops;
      if (it.jump_to != kNoJump) ops.insert(ops.begin(), unit_label(it.jump_to));
      if (it.jump_local >= 0) ops.insert(ops.begin(), locals[it.jump_local]);
      if (it.lea_local >= 0) ops.push_back(x86::ptr(locals[it.lea_local]));
      a.addInstOptions(it.options);
      if (Error e = a.emitOpArray(it.id, ops.data(), ops.size())) {
        String name;
        InstAPI::instIdToString(Arch::kX86, it.id, name);
        throw std::runtime_error(fmt::format("AsmJit refuses {}: {}", name.data(), DebugUtils::errorAsString(e)));
      }
    }
    for (int l = 0; l < u.locals; ++l)
      if (!bound[l]) a.bind(locals[l]);
  }
  a.bind(end);
  out.end_eip = base + static_cast<uint32_t>(a.offset());
  a.hlt();
  a.finalize();
  // Absolute label addresses (lea r, [label]) are relocations until now.
  code.flatten();
  code.resolveUnresolvedLinks();
  if (Error e = code.relocateToBase(base)) throw std::runtime_error(fmt::format("relocation: {}", DebugUtils::errorAsString(e)));
  out.code.resize(code.codeSize());
  code.copyFlattenedData(out.code.data(), out.code.size(), CopySectionFlags::kPadSectionBuffer);
  return out;
}

uint64_t Assembled::reached(uint32_t eip) const {
  uint64_t n = 0;
  while (n < starts.size() && starts[n] < eip) ++n;
  return n;
}

std::string listing(const std::vector<uint8_t>& code, uint32_t base, bool code16) {
  ZydisDecoder decoder;
  if (code16) ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
  else ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
  ZydisFormatter formatter;
  ZydisFormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  std::string out;
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  for (size_t off = 0; off < code.size();) {
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, code.data() + off, code.size() - off, &insn, ops))) {
      out += fmt::format("  {:08x}  {:02x}  (undecodable)\n", base + off, code[off]);
      ++off;
      continue;
    }
    char text[160];
    ZydisFormatterFormatInstruction(&formatter, &insn, ops, insn.operand_count_visible, text, sizeof text,
                                    base + off, nullptr);
    std::string hex;
    for (unsigned i = 0; i < insn.length; ++i) hex += fmt::format("{:02x} ", code[off + i]);
    out += fmt::format("  {:08x}  {:<24} {}\n", base + off, hex, text);
    off += insn.length;
  }
  return out;
}

}  // namespace bt86::fuzz
