// A decoded guest instruction: Zydis's view plus the raw bytes, kept
// together because helpers and error messages need both.
#pragma once
#include <Zydis/Zydis.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace bt86 {

struct Insn {
  ZydisDecodedInstruction info;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
  uint32_t eip;

  uint8_t length() const { return info.length; }
  uint32_t next_eip() const { return eip + info.length; }
  ZydisMnemonic mnemonic() const { return info.mnemonic; }
  unsigned visible() const { return info.operand_count_visible; }
  // The first visible memory operand, if any.
  const ZydisDecodedOperand* memory_operand() const;
  std::string text() const;        // Intel syntax, e.g. "mov eax, [ebx+4]"
  std::string hex_bytes() const;   // e.g. "0f 0b"
};

// Decodes one instruction at eip from code (which must hold up to 15 bytes
// or fewer at the end of memory). 32-bit or 16-bit default sizes.
std::optional<Insn> decode(std::span<const uint8_t> code, uint32_t eip, bool code32);

// Disassembles host (64-bit) code, for tests and traces.
std::string disassemble_host(std::span<const uint8_t> code);

}  // namespace bt86
