#include "cache/code_cache.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace bt86 {

const SideEntry* Block::entry_for(const uint8_t* pc) const {
  auto offset = static_cast<uint32_t>(pc - host);
  // The safepoint poll precedes the first instruction and belongs to it.
  const SideEntry* best = side.empty() ? nullptr : &side.front();
  for (const SideEntry& e : side) {
    if (e.host_offset > offset) break;
    best = &e;
  }
  return best;
}

CodeCache::CodeCache(size_t size) : size_(size) {
  mapping_size_ = kPage + size;
  void* p = mmap(nullptr, mapping_size_, PROT_READ | PROT_WRITE | PROT_EXEC,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "map translation cache");
  mapping_ = static_cast<uint8_t*>(p);
  poll_page_ = mapping_;
  if (mprotect(poll_page_, kPage, PROT_READ) != 0)
    throw std::system_error(errno, std::generic_category(), "poll page");
  region_ = mapping_ + kPage;
  top_ = region_;
}

CodeCache::~CodeCache() { munmap(mapping_, mapping_size_); }

uint8_t* CodeCache::allocate(size_t bytes) {
  bytes = (bytes + 15) & ~size_t{15};
  if (static_cast<size_t>(region_ + size_ - top_) < bytes) return nullptr;
  uint8_t* p = top_;
  top_ += bytes;
  return p;
}

Block* CodeCache::find(const BlockKey& key) const {
  Block*& recent = recent_[recent_slot(key)];
  if (recent && recent->key == key) return recent;
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return nullptr;
  return recent = it->second.get();
}

Block* CodeCache::find_by_host(const uint8_t* pc) const {
  auto it = by_host_.upper_bound(pc);
  if (it == by_host_.begin()) return nullptr;
  --it;
  Block* b = it->second;
  return pc < b->host + b->host_size ? b : nullptr;
}

void CodeCache::insert(std::unique_ptr<Block> block) {
  Block* b = block.get();
  by_host_[b->host] = b;
  by_page_[b->phys_pages[0] / kPage].push_back(*b);
  if (b->phys_pages[1] != ~0u) by_page2_[b->phys_pages[1] / kPage].push_back(*b);
  recent_[recent_slot(b->key)] = b;
  by_key_[b->key] = std::move(block);
}

void CodeCache::adopt_single(std::unique_ptr<Block> block) {
  by_host_[block->host] = block.get();
  block->valid = false;  // never found by key, freed at the next safe point
  graveyard_.push_back(std::move(block));
}

void CodeCache::patch_jump(uint8_t* site, const uint8_t* target) {
  // site holds E9 rel32; the displacement counts from the next instruction.
  auto rel = static_cast<int32_t>(target - (site + 5));
  std::memcpy(site + 1, &rel, sizeof rel);
}

void CodeCache::chain(ExitLink& exit, Block& target) {
  if (exit.chained() || !exit.owner->valid || !target.valid) return;
  patch_jump(exit.jmp_site, target.host);
  target.incoming.push_back(exit);
}

void CodeCache::invalidate(Block& b) {
  if (!b.valid) return;
  b.valid = false;
  for (ExitLink& in : b.incoming) patch_jump(in.jmp_site, in.stub);
  b.incoming.clear();
  for (ExitLink& out : b.exits) out.incoming_hook.unlink();
  b.page_hook.unlink();
  b.page_hook2.unlink();
  if (Block*& recent = recent_[recent_slot(b.key)]; recent == &b) recent = nullptr;
  auto it = by_key_.find(b.key);
  if (it != by_key_.end() && it->second.get() == &b) {
    graveyard_.push_back(std::move(it->second));
    by_key_.erase(it);
  }
  last_invalidated_.push_back(&b);
}

size_t CodeCache::invalidate_page(uint32_t phys) {
  uint32_t page = phys / kPage;  // the page lists are keyed by page number
  std::vector<Block*> victims;
  if (auto it = by_page_.find(page); it != by_page_.end())
    for (Block& b : it->second) victims.push_back(&b);
  if (auto it = by_page2_.find(page); it != by_page2_.end())
    for (Block& b : it->second) victims.push_back(&b);
  for (Block* b : victims) invalidate(*b);
  return victims.size();
}

size_t CodeCache::invalidate_holding(uint32_t phys) {
  std::vector<Block*> victims;
  if (auto it = by_page_.find(phys / kPage); it != by_page_.end())
    for (Block& b : it->second)
      if (phys - b.key.phys < b.guest_end - b.guest_eip) victims.push_back(&b);
  for (Block* b : victims) invalidate(*b);
  return victims.size();
}

size_t CodeCache::invalidate_linear(uint32_t linear) {
  std::vector<Block*> victims;
  for (auto& [key, b] : by_key_)
    if (linear - b->guest_eip < b->guest_end - b->guest_eip) victims.push_back(b.get());
  for (Block* b : victims) invalidate(*b);
  return victims.size();
}

void CodeCache::collect_garbage() {
  for (auto& b : graveyard_) by_host_.erase(b->host);
  graveyard_.clear();
  last_invalidated_.clear();
}

void CodeCache::flush() {
  for (auto& [key, b] : by_key_) {
    b->valid = false;
    b->incoming.clear();
    for (ExitLink& out : b->exits) out.incoming_hook.unlink();
    b->page_hook.unlink();
    b->page_hook2.unlink();
  }
  by_key_.clear();
  recent_.fill(nullptr);
  by_page_.clear();
  by_page2_.clear();
  by_host_.clear();
  graveyard_.clear();
  last_invalidated_.clear();
  top_ = region_ + permanent_;
}

}  // namespace bt86
