// Test support: translates one guest instruction as a block of its own into
// a private translation cache and hands back the host code, decoded, so
// tests can inspect what the emitters produced without running it.
#pragma once
#include <Zydis/Zydis.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cache/block.h"
#include "cache/code_cache.h"
#include "frontend/insn.h"
#include "dispatch/stubs.h"

namespace bt86::test {

struct HostInsn {
  ZydisDecodedInstruction info;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  const uint8_t* at;
  unsigned visible() const { return info.operand_count_visible; }
  // Absolute target of a relative branch or call, else 0.
  uint64_t branch_target() const;
};

struct Translation {
  Insn guest;
  const Block* block;
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
  std::vector<HelperFn> helpers;
  std::vector<ZydisMnemonic> body;
};

// Flat 32-bit protected mode at CPL 0: what a Multiboot kernel runs in.
constexpr uint32_t kFlatMode = mode::kCode32 | mode::kFlat | mode::kProtected;

class OneInsnTranslator {
public:
  OneInsnTranslator();
  // Decodes bytes at eip (32-bit code) and translates that one instruction.
  Translation translate(std::span<const uint8_t> bytes, uint32_t eip, uint32_t block_mode = kFlatMode);
  // Translates insn without keeping anything; reuses the cache when full.
  Swept sweep(const Insn& insn, uint32_t block_mode = kFlatMode);
  const Stubs& stubs() const { return stubs_; }

private:
  CodeCache cache_{8u << 20};
  Stubs stubs_;
  std::vector<std::unique_ptr<Block>> blocks_;  // helper sites live in them
};

}  // namespace bt86::test
