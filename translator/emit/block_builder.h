// Assembles one block: the emitters of every instruction class append host
// code here, and the builder keeps what the block needs at run time (exit
// links, helper sites, the side table) and lays out the exit stubs.
#pragma once
#include <asmjit/x86.h>

#include <memory>
#include <optional>
#include <vector>

#include "cache/block.h"
#include "dispatch/stubs.h"

namespace bt86 {

class BlockBuilder {
public:
  BlockBuilder(const Stubs& stubs, const CodeCache& cache, std::unique_ptr<Block> block);

  asmjit::x86::Assembler& a() { return a_; }
  Block& block() { return *block_; }
  uint32_t mode() const { return block_->key.mode; }
  unsigned cpl() const { return (mode() >> mode::kCplShift) & 3; }
  bool flat() const { return mode() & mode::kFlat; }
  bool stack16() const { return mode() & mode::kStack16; }
  const uint8_t* poll_page() const { return poll_page_; }
  // A bounce block (mode::kBounce): every memory access of its one
  // instruction goes through redirect_access (emit.h).
  bool bounce() const { return mode() & mode::kBounce; }
  // The instruction being emitted redirects its accesses: a bounce block's,
  // or an adaptive one (dispatch/adaptive_sites.h) named by adaptive_key.
  bool redirecting() const { return bounce() || adaptive_key_; }
  void set_adaptive(uint64_t key) { adaptive_key_ = key; }

  // Starts a guest instruction: records its side-table entry.
  void begin_instruction(uint32_t eip, int8_t spill_reg = -1);
  void mark_spill(int8_t reg);

  // A patchable direct jump to guest target_eip (chained later).
  void jump_to(uint32_t target_eip);
  // Branch to the flag-preserving lookup with the target EIP in r9d (a
  // bounce block leaves translated code instead: nothing chains from it).
  void jump_indirect();
  // Calls a C++ helper for insn. If the helper may leave translated code it
  // does so by itself; otherwise execution continues after the call.
  void call_helper(HelperFn fn, const char* cause, const Insn& insn);
  // A step of insn's memory access when redirecting (arg: access_step),
  // through the access thunk: every register and flag is kept (the answer
  // is in the CpuFrame), and it leaves translated code only when it raises.
  void call_access(const Insn& insn, uint32_t arg);
  // An out-of-line stub that raises #GP(0), or #SS(0) when `stack`, for
  // insn (a failed segment check jumps there with the guest state intact).
  asmjit::Label segment_fault(const Insn& insn, bool stack);

  // Emits the stubs and places the code in the cache; returns the finished
  // block, or nullptr when the cache is full.
  std::unique_ptr<Block> finish(CodeCache& cache);
  // After finish: the bytes of the block's straight-line code, before the
  // out-of-line stubs (segment faults, exits).
  uint32_t inline_size() const { return inline_size_; }

private:
  struct PendingExit {
    asmjit::Label site, stub;
    ExitLink* link;
  };
  const Stubs& stubs_;
  const uint8_t* poll_page_;
  asmjit::CodeHolder code_;
  asmjit::x86::Assembler a_;
  std::unique_ptr<Block> block_;
  std::vector<PendingExit> exits_;
  struct PendingFault {
    asmjit::Label stub;
    HelperSite* site;
  };
  std::vector<PendingFault> faults_;
  std::vector<asmjit::Label> side_labels_;
  uint32_t inline_size_ = 0;
  uint64_t adaptive_key_ = 0;
};

}  // namespace bt86
