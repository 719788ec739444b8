// The translation cache: one contiguous RWX region (so every block, stub and
// chained jump is within rel32 reach, and a full flush is one reset), the
// blocks that live in it, their lookup by key, by guest page and by host
// address, chaining and invalidation.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "cache/block.h"

namespace bt86 {

struct BlockKeyHash {
  size_t operator()(const BlockKey& k) const {
    return ((uint64_t{k.mode} << 32 | k.phys) * 0x9E3779B97F4A7C15ull ^ uint64_t{k.linear} * 0xC2B2AE3D27D4EB4Full) >> 20;
  }
};

class CodeCache {
public:
  static constexpr size_t kDefaultSize = 64u << 20;
  static constexpr size_t kPage = 4096;

  explicit CodeCache(size_t size = kDefaultSize);
  ~CodeCache();
  CodeCache(const CodeCache&) = delete;
  CodeCache& operator=(const CodeCache&) = delete;

  // The safepoint page sits just below the region, within rel32 reach.
  uint8_t* poll_page() const { return poll_page_; }
  uint8_t* begin() const { return region_; }
  bool contains(const void* p) const {
    auto a = static_cast<const uint8_t*>(p);
    return a >= region_ && a < region_ + size_;
  }

  // Bump allocation of host code; nullptr when full (the caller flushes).
  uint8_t* allocate(size_t bytes);
  size_t used() const { return top_ - region_; }
  // Marks the first `bytes` (the engine's stubs) as permanent.
  void set_permanent(size_t bytes) { permanent_ = bytes; }

  Block* find(const BlockKey& key) const;
  Block* find_by_host(const uint8_t* pc) const;
  void insert(std::unique_ptr<Block> block);
  void adopt_single(std::unique_ptr<Block> block);  // uncached, freed at next safe point

  // Chains exit to target (patches its jump).
  void chain(ExitLink& exit, Block& target);
  // Invalidates every block with code on the 4 KiB guest-physical page
  // holding phys; returns how many.
  size_t invalidate_page(uint32_t phys);
  // Invalidates every block whose guest code covers the linear address, in
  // any mode and from any physical page (a debugger's breakpoint changed
  // there); returns how many. A walk over all blocks: a debugger's pace.
  size_t invalidate_linear(uint32_t linear);
  // Invalidates the blocks whose code holds the byte at phys (in their
  // first page, where every instruction of a block but a straddling first
  // one starts).
  size_t invalidate_holding(uint32_t phys);
  // Invalidates one block: unchains incoming jumps, forgets its key.
  void invalidate(Block& block);
  // Frees invalidated blocks; only when no translated code is running.
  void collect_garbage();
  // Drops every block and resets the allocator (keeps the permanent stubs).
  void flush();

  size_t block_count() const { return by_key_.size(); }
  const std::vector<Block*>& last_invalidated() const { return last_invalidated_; }

private:
  static void patch_jump(uint8_t* jmp_site, const uint8_t* target);

  uint8_t* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  uint8_t* poll_page_ = nullptr;
  uint8_t* region_ = nullptr;
  size_t size_;
  uint8_t* top_ = nullptr;
  size_t permanent_ = 0;

  std::unordered_map<BlockKey, std::unique_ptr<Block>, BlockKeyHash> by_key_;
  // A direct-mapped cache of recent finds in front of by_key_, whose lookups
  // cost several cache misses (indirect misses and helper continuations
  // find blocks hundreds of times per guest exec). Invalidation clears a
  // block's slot.
  static constexpr size_t kRecent = 8192;
  static size_t recent_slot(const BlockKey& key) { return BlockKeyHash()(key) % kRecent; }
  mutable std::array<Block*, kRecent> recent_{};
  std::map<const uint8_t*, Block*> by_host_;
  std::unordered_map<uint32_t, PageBlockList> by_page_;
  std::unordered_map<uint32_t, PageBlockList2> by_page2_;
  std::vector<std::unique_ptr<Block>> graveyard_;
  std::vector<Block*> last_invalidated_;
};

}  // namespace bt86
