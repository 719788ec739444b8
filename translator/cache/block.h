// A translated guest basic block: its host code in the translation cache,
// the side table mapping host PCs back to guest EIPs, its exits (which
// chaining patches) and the helper sites its code calls.
#pragma once
#include <boost/intrusive/list.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "bt86/translator/block_mode.h"
#include "frontend/insn.h"

namespace bt86 {

struct Block;
class HelperContext;

// A block is found by where its code is (the physical address, which code
// protection and invalidation work on) and by the linear address it was
// translated for: blocks embed linear addresses (exit targets, pushed
// return addresses, the EIP of each instruction), so a page mapped at two
// linear addresses (a vDSO in two processes) needs two translations.
struct BlockKey {
  uint32_t phys;
  uint32_t linear;
  uint32_t mode;
  bool operator==(const BlockKey&) const = default;
};

using UnlinkHook = boost::intrusive::list_member_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

// A direct exit: a patchable `jmp rel32` at jmp_site that goes either to its
// stub (which exits to the run loop with target_eip) or, once chained,
// straight to the target block. Linked into the target's incoming list while
// chained, so invalidating the target can restore the stub.
struct ExitLink {
  Block* owner;
  uint32_t target_eip;
  uint8_t* jmp_site = nullptr;
  uint8_t* stub = nullptr;
  UnlinkHook incoming_hook;
  bool chained() const { return incoming_hook.is_linked(); }
};
using IncomingList = boost::intrusive::list<
    ExitLink, boost::intrusive::member_hook<ExitLink, UnlinkHook, &ExitLink::incoming_hook>,
    boost::intrusive::constant_time_size<false>>;

enum class HelperResult { kContinue, kExit };
struct HelperSite;
using HelperFn = HelperResult (*)(HelperContext&, const HelperSite&);

// A call from translated code into C++: the instruction it stands for and
// the function that carries it out (none for the steps of a bounce block's
// access, which the run loop carries out itself).
struct HelperSite {
  HelperFn fn;
  const char* cause;  // for the exits-by-cause statistics
  Insn insn;
  mutable uint64_t* exits = nullptr;  // the engine's counter for cause, once looked up
  uint32_t arg = 0;  // a constant of the site (a bounce access: its size and kind)
  uint64_t adaptive_key = 0;  // an adaptive instruction's access: its AdaptiveSites key
};

// HelperSite::arg of a bounce block's access step (BlockBuilder::call_access):
// 0 writes out what the instruction stored; else where the access of that
// size and kind is to be made.
namespace access_step {
constexpr uint32_t kCommit = 0;
constexpr uint32_t redirect(unsigned size, bool read, bool write) {
  return size | (read ? 1u << 16 : 0) | (write ? 1u << 17 : 0);
}
constexpr unsigned size(uint32_t arg) { return arg & 0xFFFF; }
constexpr bool reads(uint32_t arg) { return arg & (1u << 16); }
constexpr bool writes(uint32_t arg) { return arg & (1u << 17); }
}  // namespace access_step

// Host offset (from the block start) of the first host instruction of each
// guest instruction; spill_reg >= 0 marks code that borrowed a guest
// register (its value is then in CpuFrame::spill while the code runs).
struct SideEntry {
  uint32_t host_offset;
  uint32_t guest_eip;
  int8_t spill_reg;
};

struct Block {
  BlockKey key;         // key.phys: physical address of the first instruction
  uint32_t guest_eip;   // linear address it was translated at
  uint32_t guest_end;   // linear, one past the last guest byte
  uint32_t phys_pages[2] = {~0u, ~0u};  // physical pages its code comes from
  uint32_t instructions = 0;
  uint8_t* host = nullptr;
  uint32_t host_size = 0;
  bool valid = true;
  std::vector<SideEntry> side;
  std::deque<ExitLink> exits;
  std::deque<HelperSite> sites;
  IncomingList incoming;
  UnlinkHook page_hook;   // in the list of blocks on phys_pages[0]
  UnlinkHook page_hook2;  // ... and on phys_pages[1] when it straddles two

  // The side-table entry covering a host PC inside this block.
  const SideEntry* entry_for(const uint8_t* host_pc) const;
};

using PageBlockList = boost::intrusive::list<
    Block, boost::intrusive::member_hook<Block, UnlinkHook, &Block::page_hook>,
    boost::intrusive::constant_time_size<false>>;
using PageBlockList2 = boost::intrusive::list<
    Block, boost::intrusive::member_hook<Block, UnlinkHook, &Block::page_hook2>,
    boost::intrusive::constant_time_size<false>>;

}  // namespace bt86
