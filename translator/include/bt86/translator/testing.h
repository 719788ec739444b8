// What tests and tools may see of the translator's insides, through a
// small public surface (everything else in translator/ stays private): one
// guest instruction translated alone, in a given block mode, and the host
// code it became (the unit tests' round trips and tests/golden's
// instruction counts); the code cache with hand-made blocks; and a legacy
// instruction run natively in compatibility mode.
#pragma once
#include <Zydis/Zydis.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bt86/translator/block_mode.h"

namespace bt86::testing {

// Flat 32-bit protected mode at CPL 0: what a Multiboot kernel runs in.
constexpr uint32_t kFlatMode = mode::kCode32 | mode::kFlat | mode::kProtected;

// One guest instruction translated as a block of its own: the block ends
// after it with a direct exit to the next instruction, as block formation
// ends any block, unless the instruction itself ended the block.
struct TranslatedInstruction {
  ZydisDecodedInstruction guest;
  ZydisDecodedOperand guest_ops[ZYDIS_MAX_OPERAND_COUNT];
  uint32_t eip;
  bool ends_block;
  // The whole block's host code: the safepoint poll, the instruction's
  // code from code_offset, the exit, and from inline_end the out-of-line
  // stubs (segment faults, exits).
  const uint8_t* host;
  uint32_t size;
  uint32_t code_offset;
  uint32_t inline_end;
  const uint8_t* first_exit_jump;  // the first direct exit's patchable jmp (nullptr: none)
  std::vector<const uint8_t*> exit_stubs;
  std::vector<std::string> helper_causes;  // the helper sites the code calls, by exit cause
  int spill_reg;  // the guest register the instruction's code borrows (-1: none)
};

class InstructionTranslator {
public:
  explicit InstructionTranslator(size_t cache_bytes = 8u << 20);
  ~InstructionTranslator();

  // Decodes the instruction at the start of `bytes` at eip (32-bit code, or
  // 16-bit when mode lacks kCode32) and translates it in the block mode;
  // nullopt when the bytes do not decode. The host code stays valid as long
  // as this translator does.
  std::optional<TranslatedInstruction> translate(std::span<const uint8_t> bytes, uint32_t eip, uint32_t mode);
  // The same for a sweep over many instructions: the host code stays valid
  // only until the next call.
  std::optional<TranslatedInstruction> sweep(std::span<const uint8_t> bytes, uint32_t eip, uint32_t mode);

  // The code every block calls into or exits through, by name: "enter",
  // "exit", "helper_thunk", "access_thunk", "fault_exit", "indirect_miss".
  struct Stub {
    const char* name;
    const uint8_t* at;
  };
  std::vector<Stub> stubs() const;
  const uint8_t* helper_thunk() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether the op table (emit/op_table.cpp) has a row for the mnemonic, that
// is, whether the instruction is anything but copied as ident.
bool has_op_row(ZydisMnemonic mnemonic);

// The code cache (cache/code_cache.h) on its own, with hand-made blocks of
// the shape the block builder lays out: code with one patchable `jmp rel32`
// exit whose stub lies further on. Blocks are named by the handle add_block
// returns.
class CodeCacheProbe {
public:
  static constexpr size_t kPage = 4096;
  static constexpr size_t kBlockBytes = 64;
  using BlockId = unsigned;

  explicit CodeCacheProbe(size_t size);
  ~CodeCacheProbe();

  // A block for guest [eip, end) (linear == physical) with one direct exit
  // to exit_target; `single`: a one-instruction block the cache never finds by key.
  BlockId add_block(uint32_t eip, uint32_t end, uint32_t exit_target, uint32_t mode, bool single = false);

  uint8_t* allocate(size_t bytes);
  size_t used() const;
  uint8_t* begin() const;
  uint8_t* poll_page() const;
  bool contains(const void* p) const;
  void set_permanent(size_t bytes);
  size_t block_count() const;

  std::optional<BlockId> find(uint32_t phys, uint32_t linear, uint32_t mode) const;
  std::optional<BlockId> find_by_host(const uint8_t* pc) const;
  uint8_t* host(BlockId b) const;
  bool valid(BlockId b) const;
  // The block's exit: where its jmp goes now, its stub, whether chained,
  // and the exits chained to the block.
  const uint8_t* exit_target(BlockId b) const;
  const uint8_t* exit_stub(BlockId b) const;
  uint8_t exit_opcode(BlockId b) const;
  bool exit_chained(BlockId b) const;
  std::vector<BlockId> chained_from(BlockId b) const;

  void chain(BlockId from, BlockId to);
  size_t invalidate_page(uint32_t phys);
  void invalidate(BlockId b);
  std::vector<BlockId> last_invalidated() const;
  void collect_garbage();
  void flush();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A legacy instruction without a 64-bit encoding (daa, das, aaa, aas, aam,
// aad, salc) run natively in a compatibility-mode code segment
// (runtime/compat32.h).
class NativeLegacy {
public:
  NativeLegacy();
  ~NativeLegacy();
  struct Result {
    uint32_t eax;
    uint32_t eflags;
  };
  Result run(std::span<const uint8_t> insn, uint32_t eax, uint32_t eflags);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bt86::testing
