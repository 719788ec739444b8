// Names a guest instruction for error reports (both backends use it).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace bt86 {

struct GuestInstructionText {
  std::string text;  // Intel syntax, e.g. "mov eax, [ebx+4]"
  std::string hex;   // its bytes, e.g. "8b 43 04"
};

// Decodes one 32-bit (or 16-bit) guest instruction at eip; nullopt if the
// bytes are not a valid instruction.
std::optional<GuestInstructionText> disassemble_guest(std::span<const uint8_t> code, uint32_t eip, bool code32);

}  // namespace bt86
