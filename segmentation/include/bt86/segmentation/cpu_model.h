// The CPU that CPUID describes (segmentation/cpuid.h), as the translator
// sees it: CPUID is the contract. An instruction whose extension CPUID
// announces runs; one whose extension it does not announce raises #UD, as
// that CPU would; and the opcodes that later extensions took over from the
// hint-NOP space (MPX, CET, CLDEMOTE) or from prefixed forms (LZCNT, TZCNT)
// decode as what they were before.
#pragma once
#include <Zydis/Zydis.h>

#include "bt86/segmentation/cpuid.h"

namespace bt86 {

// Whether the guest CPU implements the decoded instruction.
bool cpu_implements(const ZydisDecodedInstruction& insn);

// Every CPUID flag the model knows instructions of (for the test that no
// flag is announced whose instructions would stay #UD).
bool cpu_model_knows(const CpuidFeature& feature);

// Whether the instruction raises #UD while CR4.OSFXSR is clear (SDM vol. 3,
// 13.1.3): SSE to SSE4.2 instructions that use an XMM register or MXCSR,
// but not the fences, movnti, crc32 nor the SSE forms on MMX registers.
bool needs_osfxsr(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops);

// A decoder for 32-bit or 16-bit code that reads opcodes as the guest CPU
// does.
const ZydisDecoder& guest_decoder(bool code32);

}  // namespace bt86
