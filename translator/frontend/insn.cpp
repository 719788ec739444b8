#include "frontend/insn.h"

#include <cstring>
#include <fmt/format.h>

#include "bt86/segmentation/cpu_model.h"
#include "bt86/segmentation/disassemble.h"

namespace bt86 {

const ZydisDecodedOperand* Insn::memory_operand() const {
  for (unsigned i = 0; i < visible(); ++i)
    if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY) return &ops[i];
  return nullptr;
}

std::string Insn::text() const { return format_guest_instruction(info, ops, eip); }

std::string Insn::hex_bytes() const { return hex_string({bytes, info.length}); }

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
