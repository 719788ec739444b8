// translator/code_cache.h without running guest code: blocks are built by
// hand, each with one patchable `jmp rel32` exit whose stub is a few bytes
// further on, exactly the shape BlockBuilder lays out.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>

#include "cache/code_cache.h"

using namespace bt86;

namespace {

constexpr size_t kBlockBytes = 64;
constexpr size_t kStubOffset = 32;
constexpr uint32_t kMode = mode::kCode32 | mode::kFlat | mode::kProtected;

// The displacement of the E9 jump at site, resolved to an absolute address.
const uint8_t* jump_target(const uint8_t* site) {
  int32_t rel;
  std::memcpy(&rel, site + 1, 4);
  return site + 5 + rel;
}

// A block for guest [eip, end) (linear == physical here) with one direct
// exit to exit_target.
Block* add_block(CodeCache& cache, uint32_t eip, uint32_t end, uint32_t exit_target) {
  auto b = std::make_unique<Block>();
  b->key = {eip, eip, kMode};
  b->guest_eip = eip;
  b->guest_end = end;
  b->phys_pages[0] = eip & ~0xFFFu;
  if (((end - 1) & ~0xFFFu) != b->phys_pages[0]) b->phys_pages[1] = (end - 1) & ~0xFFFu;
  b->host = cache.allocate(kBlockBytes);
  REQUIRE(b->host != nullptr);
  b->host_size = kBlockBytes;
  std::memset(b->host, 0xCC, kBlockBytes);
  ExitLink& exit = b->exits.emplace_back();
  exit.owner = b.get();
  exit.target_eip = exit_target;
  exit.jmp_site = b->host + 8;
  exit.stub = b->host + kStubOffset;
  exit.jmp_site[0] = 0xE9;
  auto rel = static_cast<int32_t>(exit.stub - (exit.jmp_site + 5));
  std::memcpy(exit.jmp_site + 1, &rel, 4);
  Block* raw = b.get();
  cache.insert(std::move(b));
  return raw;
}

}  // namespace

TEST_CASE("code cache: allocation is 16-byte aligned and fails when full", "[code_cache]") {
  CodeCache cache(4 * CodeCache::kPage);
  uint8_t* a = cache.allocate(1);
  uint8_t* b = cache.allocate(17);
  REQUIRE(a != nullptr);
  CHECK(a == cache.begin());
  CHECK(b == a + 16);
  CHECK(reinterpret_cast<uintptr_t>(b) % 16 == 0);
  CHECK(cache.used() == 48);
  CHECK(cache.contains(b));
  CHECK_FALSE(cache.contains(cache.poll_page()));
  CHECK(cache.allocate(4 * CodeCache::kPage) == nullptr);
  CHECK(cache.used() == 48);  // a failed allocation takes nothing
}

TEST_CASE("code cache: blocks are found by key and by any host PC inside", "[code_cache]") {
  CodeCache cache(1 << 20);
  Block* a = add_block(cache, 0x100000, 0x100010, 0x100010);
  Block* b = add_block(cache, 0x100010, 0x100020, 0x100000);

  CHECK(cache.block_count() == 2);
  CHECK(cache.find({0x100000, 0x100000, kMode}) == a);
  CHECK(cache.find({0x100010, 0x100010, kMode}) == b);
  CHECK(cache.find({0x100000, 0x100000, kMode | 3u << mode::kCplShift}) == nullptr);  // another mode
  CHECK(cache.find({0x100004, 0x100004, kMode}) == nullptr);
  // The same physical code translated for another linear address is another block.
  CHECK(cache.find({0x100000, 0x500000, kMode}) == nullptr);

  CHECK(cache.find_by_host(a->host) == a);
  CHECK(cache.find_by_host(a->host + kBlockBytes - 1) == a);
  CHECK(cache.find_by_host(b->host + 5) == b);
  CHECK(cache.find_by_host(b->host + kBlockBytes) == nullptr);  // past the last block
  CHECK(cache.find_by_host(cache.begin() - 1) == nullptr);
}

TEST_CASE("code cache: chaining patches the exit jump onto the target", "[code_cache]") {
  CodeCache cache(1 << 20);
  Block* from = add_block(cache, 0x100000, 0x100010, 0x200000);
  Block* to = add_block(cache, 0x200000, 0x200010, 0x100000);
  ExitLink& exit = from->exits.front();
  REQUIRE(jump_target(exit.jmp_site) == exit.stub);

  cache.chain(exit, *to);
  CHECK(exit.chained());
  CHECK(jump_target(exit.jmp_site) == to->host);
  CHECK(exit.jmp_site[0] == 0xE9);  // only the displacement is rewritten
  CHECK(&to->incoming.front() == &exit);

  cache.chain(exit, *to);  // chaining twice is harmless
  CHECK(std::distance(to->incoming.begin(), to->incoming.end()) == 1);
}

TEST_CASE("code cache: invalidating a page unchains its blocks and forgets them", "[code_cache]") {
  CodeCache cache(1 << 20);
  Block* from = add_block(cache, 0x100000, 0x100010, 0x200000);
  Block* to = add_block(cache, 0x200000, 0x200010, 0x100000);
  ExitLink& exit = from->exits.front();
  cache.chain(exit, *to);
  cache.chain(to->exits.front(), *from);

  CHECK(cache.invalidate_page(0x200000) == 1);
  CHECK_FALSE(to->valid);
  CHECK(cache.find({0x200000, 0x200000, kMode}) == nullptr);
  CHECK(cache.block_count() == 1);
  // The incoming jump goes back through its stub to the run loop.
  CHECK_FALSE(exit.chained());
  CHECK(jump_target(exit.jmp_site) == exit.stub);
  // The dead block's own outgoing link no longer counts as incoming to `from`.
  CHECK(from->incoming.empty());
  REQUIRE(cache.last_invalidated().size() == 1);
  CHECK(cache.last_invalidated().front() == to);

  // The source block is untouched and can be chained again to a fresh target.
  CHECK(from->valid);
  CHECK(cache.find({0x100000, 0x100000, kMode}) == from);
  Block* again = add_block(cache, 0x200000, 0x200010, 0x100000);
  cache.chain(exit, *again);
  CHECK(jump_target(exit.jmp_site) == again->host);
}

TEST_CASE("code cache: a dead block can be neither chained to nor chained from", "[code_cache]") {
  CodeCache cache(1 << 20);
  Block* a = add_block(cache, 0x100000, 0x100010, 0x200000);
  Block* b = add_block(cache, 0x200000, 0x200010, 0x100000);
  cache.invalidate(*b);
  cache.chain(a->exits.front(), *b);
  CHECK_FALSE(a->exits.front().chained());
  CHECK(jump_target(a->exits.front().jmp_site) == a->exits.front().stub);
  cache.chain(b->exits.front(), *a);
  CHECK(a->incoming.empty());
}

TEST_CASE("code cache: a block straddling two pages dies with either page", "[code_cache]") {
  const uint32_t eip = 0x100FF8, end = 0x101008;  // 8 bytes on each page
  for (uint32_t page_addr : {0x100000u, 0x101000u}) {
    CodeCache cache(1 << 20);
    Block* straddler = add_block(cache, eip, end, 0x300000);
    Block* first_only = add_block(cache, 0x100000, 0x100010, 0x300000);
    Block* second_only = add_block(cache, 0x101800, 0x101810, 0x300000);
    Block* src = add_block(cache, 0x300000, 0x300010, eip);
    cache.chain(src->exits.front(), *straddler);

    INFO("invalidating page " << std::hex << page_addr);
    CHECK(cache.invalidate_page(page_addr) == 2);
    CHECK(cache.find({eip, eip, kMode}) == nullptr);
    CHECK_FALSE(straddler->valid);
    CHECK(jump_target(src->exits.front().jmp_site) == src->exits.front().stub);
    CHECK(first_only->valid == (page_addr != 0x100000));
    CHECK(second_only->valid == (page_addr != 0x101000));
    // Neither page list still holds the dead block: the other page drops nothing more.
    CHECK(cache.invalidate_page(page_addr == 0x100000 ? 0x101000 : 0x100000) == 1);
  }
}

TEST_CASE("code cache: a block ending exactly at a page boundary is on one page", "[code_cache]") {
  CodeCache cache(1 << 20);
  Block* b = add_block(cache, 0x100FF0, 0x101000, 0x101000);
  CHECK(cache.invalidate_page(0x101000) == 0);
  CHECK(b->valid);
  CHECK(cache.invalidate_page(0x100000) == 1);
}

TEST_CASE("code cache: garbage is kept for host lookups until collected", "[code_cache]") {
  CodeCache cache(1 << 20);
  Block* b = add_block(cache, 0x100000, 0x100010, 0x100010);
  uint8_t* host = b->host;
  cache.invalidate(*b);
  // A fault in code that is still running must map back to its block.
  CHECK(cache.find_by_host(host + 4) == b);
  cache.collect_garbage();
  CHECK(cache.find_by_host(host + 4) == nullptr);
  CHECK(cache.last_invalidated().empty());
}

TEST_CASE("code cache: one-instruction blocks are never found by key", "[code_cache]") {
  CodeCache cache(1 << 20);
  auto single = std::make_unique<Block>();
  single->key = {0x100000, 0x100000, kMode | mode::kSingle};
  single->guest_eip = 0x100000;
  single->guest_end = 0x100002;
  single->host = cache.allocate(16);
  single->host_size = 16;
  Block* raw = single.get();
  cache.adopt_single(std::move(single));
  CHECK(cache.find(raw->key) == nullptr);
  CHECK(cache.block_count() == 0);
  CHECK(cache.find_by_host(raw->host) == raw);
  cache.collect_garbage();
  CHECK(cache.find_by_host(raw->host) == nullptr);
}

TEST_CASE("code cache: flush forgets every block and keeps the permanent area", "[code_cache]") {
  CodeCache cache(1 << 20);
  REQUIRE(cache.allocate(100) == cache.begin());  // stands in for the stubs
  cache.set_permanent(112);
  Block* a = add_block(cache, 0x100000, 0x100010, 0x200000);
  Block* b = add_block(cache, 0x200000, 0x200010, 0x100000);
  cache.chain(a->exits.front(), *b);
  uint8_t* a_host = a->host;
  REQUIRE(cache.used() > 112);

  cache.flush();
  CHECK(cache.block_count() == 0);
  CHECK(cache.find({0x100000, 0x100000, kMode}) == nullptr);
  CHECK(cache.find({0x200000, 0x200000, kMode}) == nullptr);
  CHECK(cache.find_by_host(a_host) == nullptr);
  CHECK(cache.used() == 112);
  CHECK(cache.allocate(16) == cache.begin() + 112);
  CHECK(cache.invalidate_page(0x100000) == 0);  // no stale page lists
}

// Regression: the engine passes a page's guest address; blocks must be found
// under it (they once were filed by page number and never invalidated).
TEST_CASE("code cache: invalidate_page with the page address the engine passes", "[code_cache]") {
  CodeCache cache(1 << 20);
  Block* b = add_block(cache, 0x101000, 0x101006, 0x100000);
  const uint32_t linear = 0x101001;  // a guest store into that block
  CHECK(cache.invalidate_page(linear & ~0xFFFu) == 1);
  CHECK_FALSE(b->valid);
}
