#include "bt86/segmentation/disassemble.h"

#include <algorithm>
#include <fmt/format.h>

#include "bt86/segmentation/cpu_model.h"

namespace bt86 {

std::string format_guest_instruction(const ZydisDecodedInstruction& info, const ZydisDecodedOperand* ops,
                                     uint32_t eip) {
  ZydisFormatter formatter;
  ZydisFormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  char buf[256];
  if (ZYAN_FAILED(ZydisFormatterFormatInstruction(&formatter, &info, ops, info.operand_count_visible, buf, sizeof buf,
                                                  eip, nullptr)))
    return "<unformattable>";
  return buf;
}

std::string hex_string(std::span<const uint8_t> bytes) {
  std::string s;
  for (size_t i = 0; i < bytes.size(); ++i) s += fmt::format("{}{:02x}", i ? " " : "", bytes[i]);
  return s;
}

std::optional<GuestInstructionText> disassemble_guest(std::span<const uint8_t> code, uint32_t eip, bool code32) {
  ZydisDecodedInstruction info;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (ZYAN_FAILED(ZydisDecoderDecodeFull(&guest_decoder(code32), code.data(), code.size(), &info, ops)))
    return std::nullopt;
  return GuestInstructionText{format_guest_instruction(info, ops, eip), hex_string(code.first(info.length))};
}

std::string describe_guest_code(std::span<const uint8_t> code, const CpuState& cpu) {
  const uint32_t linear = cpu.seg[kCs].base + cpu.eip;
  std::string where = cpu.seg[kCs].base ? fmt::format("EIP={:#010x} (linear {:#010x})", cpu.eip, linear)
                                        : fmt::format("EIP={:#010x}", cpu.eip);
  if (code.empty()) return fmt::format("an instruction outside RAM at {}", where);
  if (auto insn = disassemble_guest(code, cpu.eip, cpu.code32()))
    return fmt::format("'{}' ({}) at {}", insn->text, insn->hex, where);
  return fmt::format("an undecodable instruction ({}...) at {}", hex_string(code.first(std::min<size_t>(code.size(), 4))),
                     where);
}

}  // namespace bt86
