// Test support: translates one guest instruction as a block of its own into
// a private translation cache (bt86/translator/testing.h) and hands back
// the host code, decoded, so tests can inspect what the emitters produced
// without running it.
#pragma once
#include <Zydis/Zydis.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bt86/translator/testing.h"

namespace bt86::test {

struct HostInsn {
  ZydisDecodedInstruction info;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  const uint8_t* at;
  unsigned visible() const { return info.operand_count_visible; }
  // Absolute target of a relative branch or call, else 0.
  uint64_t branch_target() const;
};

// A guest instruction as decoded (the guest CPU's decoder).
struct GuestInsn {
  ZydisDecodedInstruction info;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
  uint32_t eip;
  uint8_t length() const { return info.length; }
  uint32_t next_eip() const { return eip + info.length; }
  ZydisMnemonic mnemonic() const { return info.mnemonic; }
  unsigned visible() const { return info.operand_count_visible; }
  // The first visible memory operand, if any.
  const ZydisDecodedOperand* memory_operand() const {
    for (unsigned i = 0; i < visible(); ++i)
      if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY) return &ops[i];
    return nullptr;
  }
  std::string text() const;       // Intel syntax
  std::string hex_bytes() const;  // "8b 43 04"
};
std::optional<GuestInsn> decode_guest(std::span<const uint8_t> code, uint32_t eip, bool code32);

struct Translation {
  GuestInsn guest;
  std::vector<std::string> helpers;  // the helper sites of the block, by exit cause
  int spill_reg;                     // the guest register the code borrows (-1: none)
  // The guest instruction's own code: up to the block's exit jump, or for an
  // instruction that ends the block, up to its first jump.
  std::vector<HostInsn> body;
  std::vector<HostInsn> all;   // the whole block, exit stubs included
  std::string listing;         // disassemble_host() of the whole block, for messages
};

// What a sweep over many instructions keeps of each translation (the block
// itself is dropped): the helpers its code calls, and the mnemonics of the
// guest instruction's own host code.
struct Swept {
  std::vector<std::string> helpers;  // by exit cause
  std::vector<ZydisMnemonic> body;
};

using testing::kFlatMode;

class OneInsnTranslator {
public:
  // Decodes bytes at eip (32-bit code) and translates that one instruction.
  Translation translate(std::span<const uint8_t> bytes, uint32_t eip, uint32_t block_mode = kFlatMode);
  // Translates insn without keeping anything; reuses the cache when full.
  Swept sweep(const GuestInsn& insn, uint32_t block_mode = kFlatMode);
  const uint8_t* helper_thunk() const { return translator_.helper_thunk(); }

private:
  testing::InstructionTranslator translator_;
};

}  // namespace bt86::test
