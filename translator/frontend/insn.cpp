#include "frontend/insn.h"

#include <cstring>
#include <fmt/format.h>

#include "frontend/cpu_model.h"

namespace bt86 {

const ZydisDecodedOperand* Insn::memory_operand() const {
  for (unsigned i = 0; i < visible(); ++i)
    if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY) return &ops[i];
  return nullptr;
}

std::string Insn::text() const {
  ZydisFormatter formatter;
  ZydisFormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  char buf[256];
  if (ZYAN_FAILED(ZydisFormatterFormatInstruction(&formatter, &info, ops, info.operand_count_visible,
                                                  buf, sizeof buf, eip, nullptr)))
    return "<unformattable>";
  return buf;
}

std::string Insn::hex_bytes() const {
  std::string s;
  for (unsigned i = 0; i < info.length; ++i) s += fmt::format("{}{:02x}", i ? " " : "", bytes[i]);
  return s;
}

std::optional<Insn> decode(std::span<const uint8_t> code, uint32_t eip, bool code32) {
  Insn insn;
  insn.eip = eip;
  if (ZYAN_FAILED(ZydisDecoderDecodeFull(&guest_decoder(code32), code.data(), code.size(), &insn.info, insn.ops)))
    return std::nullopt;
  std::memcpy(insn.bytes, code.data(), insn.info.length);
  return insn;
}

std::string disassemble_host(std::span<const uint8_t> code) {
  ZydisDecoder decoder;
  ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  ZydisFormatter formatter;
  ZydisFormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  std::string out;
  size_t off = 0;
  ZydisDecodedInstruction info;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  while (off < code.size()) {
    if (ZYAN_FAILED(ZydisDecoderDecodeFull(&decoder, code.data() + off, code.size() - off, &info, ops))) {
      out += fmt::format("{:4x}: <bad>\n", off);
      break;
    }
    char buf[256];
    ZydisFormatterFormatInstruction(&formatter, &info, ops, info.operand_count_visible, buf,
                                    sizeof buf, off, nullptr);
    out += fmt::format("{:4x}: {}\n", off, buf);
    off += info.length;
  }
  return out;
}

}  // namespace bt86

#include "bt86/translator/disassemble.h"

namespace bt86 {

std::optional<GuestInstructionText> disassemble_guest(std::span<const uint8_t> code, uint32_t eip, bool code32) {
  std::optional<Insn> insn = decode(code, eip, code32);
  if (!insn) return std::nullopt;
  return GuestInstructionText{insn->text(), insn->hex_bytes()};
}

}  // namespace bt86
