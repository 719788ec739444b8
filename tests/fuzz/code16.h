// The fuzzer's programs in a 16-bit code segment. The generator writes
// 32-bit code; in 16-bit code an instruction means the same when its
// operand-size (0x66) and address-size (0x67) prefixes are toggled: a
// 32-bit add gains 0x66, a 16-bit one loses it, [bx+si] loses 0x67 and
// [eax+ecx*4] gains it. So every form the generator makes appears with the
// other default size, and both override directions are exercised.
#pragma once
#include <asmjit/x86.h>

#include <cstdint>
#include <span>
#include <vector>

#include "program.h"

namespace bt86::fuzz {

// One instruction's bytes (32-bit code) with 0x66 and 0x67 toggled.
std::vector<uint8_t> toggle_size_prefixes(std::span<const uint8_t> insn);

// Emits `it` for 16-bit code: `label` is the target of a jump item
// (jump_to/jump_local), or of a lea_local or rel16_local item.
void emit_code16(asmjit::x86::Assembler& a, const Item& it, const std::vector<asmjit::Operand>& ops,
                 const asmjit::Label& label);

}  // namespace bt86::fuzz
