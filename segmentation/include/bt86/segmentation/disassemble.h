// Names a guest instruction for error reports (both backends use it), read
// as the guest CPU reads it (cpu_model.h).
#pragma once
#include <Zydis/Zydis.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "bt86/segmentation/cpu_state.h"

namespace bt86 {

struct GuestInstructionText {
  std::string text;  // Intel syntax, e.g. "mov eax, [ebx+4]"
  std::string hex;   // its bytes, e.g. "8b 43 04"
};

// Decodes one 32-bit (or 16-bit) guest instruction at eip; nullopt if the
// bytes are not a valid instruction.
std::optional<GuestInstructionText> disassemble_guest(std::span<const uint8_t> code, uint32_t eip, bool code32);

// Intel syntax of a decoded guest instruction at eip.
std::string format_guest_instruction(const ZydisDecodedInstruction& info, const ZydisDecodedOperand* ops,
                                     uint32_t eip);
// Bytes as "8b 43 04".
std::string hex_string(std::span<const uint8_t> bytes);

// Names the instruction at CS:EIP in a report, from the code bytes read
// there (empty: none could be read): "'int 0x30' (cd 30) at EIP=0x00100037",
// with the linear address when CS's base is not 0.
std::string describe_guest_code(std::span<const uint8_t> code, const CpuState& cpu);

}  // namespace bt86
