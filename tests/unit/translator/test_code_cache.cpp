// The code cache (translator/cache/code_cache.h) without running guest code:
// blocks are built by hand (bt86/translator/testing.h's CodeCacheProbe),
// each with one patchable `jmp rel32` exit whose stub is a few bytes
// further on, exactly the shape BlockBuilder lays out.
#include <catch2/catch.hpp>

#include <algorithm>

#include "bt86/translator/testing.h"

using namespace bt86;
using Cache = bt86::testing::CodeCacheProbe;
using Id = Cache::BlockId;

namespace {

constexpr size_t kBlockBytes = Cache::kBlockBytes;
constexpr uint32_t kMode = testing::kFlatMode;

// A block for guest [eip, end) (linear == physical here) with one direct
// exit to exit_target.
Id add_block(Cache& cache, uint32_t eip, uint32_t end, uint32_t exit_target) {
  return cache.add_block(eip, end, exit_target, kMode);
}

}  // namespace

TEST_CASE("code cache: allocation is 16-byte aligned and fails when full", "[code_cache]") {
  Cache cache(4 * Cache::kPage);
  uint8_t* a = cache.allocate(1);
  uint8_t* b = cache.allocate(17);
  REQUIRE(a != nullptr);
  CHECK(a == cache.begin());
  CHECK(b == a + 16);
  CHECK(reinterpret_cast<uintptr_t>(b) % 16 == 0);
  CHECK(cache.used() == 48);
  CHECK(cache.contains(b));
  CHECK_FALSE(cache.contains(cache.poll_page()));
  CHECK(cache.allocate(4 * Cache::kPage) == nullptr);
  CHECK(cache.used() == 48);  // a failed allocation takes nothing
}

TEST_CASE("code cache: blocks are found by key and by any host PC inside", "[code_cache]") {
  Cache cache(1 << 20);
  Id a = add_block(cache, 0x100000, 0x100010, 0x100010);
  Id b = add_block(cache, 0x100010, 0x100020, 0x100000);

  CHECK(cache.block_count() == 2);
  CHECK(cache.find(0x100000, 0x100000, kMode) == a);
  CHECK(cache.find(0x100010, 0x100010, kMode) == b);
  CHECK(cache.find(0x100000, 0x100000, kMode | 3u << mode::kCplShift) == std::nullopt);  // another mode
  CHECK(cache.find(0x100004, 0x100004, kMode) == std::nullopt);
  // The same physical code translated for another linear address is another block.
  CHECK(cache.find(0x100000, 0x500000, kMode) == std::nullopt);

  CHECK(cache.find_by_host(cache.host(a)) == a);
  CHECK(cache.find_by_host(cache.host(a) + kBlockBytes - 1) == a);
  CHECK(cache.find_by_host(cache.host(b) + 5) == b);
  CHECK(cache.find_by_host(cache.host(b) + kBlockBytes) == std::nullopt);  // past the last block
  CHECK(cache.find_by_host(cache.begin() - 1) == std::nullopt);
}

TEST_CASE("code cache: chaining patches the exit jump onto the target", "[code_cache]") {
  Cache cache(1 << 20);
  Id from = add_block(cache, 0x100000, 0x100010, 0x200000);
  Id to = add_block(cache, 0x200000, 0x200010, 0x100000);
  REQUIRE(cache.exit_target(from) == cache.exit_stub(from));

  cache.chain(from, to);
  CHECK(cache.exit_chained(from));
  CHECK(cache.exit_target(from) == cache.host(to));
  CHECK(cache.exit_opcode(from) == 0xE9);  // only the displacement is rewritten
  CHECK(cache.chained_from(to) == std::vector<Id>{from});

  cache.chain(from, to);  // chaining twice is harmless
  CHECK(cache.chained_from(to).size() == 1);
}

TEST_CASE("code cache: invalidating a page unchains its blocks and forgets them", "[code_cache]") {
  Cache cache(1 << 20);
  Id from = add_block(cache, 0x100000, 0x100010, 0x200000);
  Id to = add_block(cache, 0x200000, 0x200010, 0x100000);
  cache.chain(from, to);
  cache.chain(to, from);

  CHECK(cache.invalidate_page(0x200000) == 1);
  CHECK_FALSE(cache.valid(to));
  CHECK(cache.find(0x200000, 0x200000, kMode) == std::nullopt);
  CHECK(cache.block_count() == 1);
  // The incoming jump goes back through its stub to the run loop.
  CHECK_FALSE(cache.exit_chained(from));
  CHECK(cache.exit_target(from) == cache.exit_stub(from));
  // The dead block's own outgoing link no longer counts as incoming to `from`.
  CHECK(cache.chained_from(from).empty());
  CHECK(cache.last_invalidated() == std::vector<Id>{to});

  // The source block is untouched and can be chained again to a fresh target.
  CHECK(cache.valid(from));
  CHECK(cache.find(0x100000, 0x100000, kMode) == from);
  Id again = add_block(cache, 0x200000, 0x200010, 0x100000);
  cache.chain(from, again);
  CHECK(cache.exit_target(from) == cache.host(again));
}

TEST_CASE("code cache: a dead block can be neither chained to nor chained from", "[code_cache]") {
  Cache cache(1 << 20);
  Id a = add_block(cache, 0x100000, 0x100010, 0x200000);
  Id b = add_block(cache, 0x200000, 0x200010, 0x100000);
  cache.invalidate(b);
  cache.chain(a, b);
  CHECK_FALSE(cache.exit_chained(a));
  CHECK(cache.exit_target(a) == cache.exit_stub(a));
  cache.chain(b, a);
  CHECK(cache.chained_from(a).empty());
}

TEST_CASE("code cache: a block straddling two pages dies with either page", "[code_cache]") {
  const uint32_t eip = 0x100FF8, end = 0x101008;  // 8 bytes on each page
  for (uint32_t page_addr : {0x100000u, 0x101000u}) {
    Cache cache(1 << 20);
    Id straddler = add_block(cache, eip, end, 0x300000);
    Id first_only = add_block(cache, 0x100000, 0x100010, 0x300000);
    Id second_only = add_block(cache, 0x101800, 0x101810, 0x300000);
    Id src = add_block(cache, 0x300000, 0x300010, eip);
    cache.chain(src, straddler);

    INFO("invalidating page " << std::hex << page_addr);
    CHECK(cache.invalidate_page(page_addr) == 2);
    CHECK(cache.find(eip, eip, kMode) == std::nullopt);
    CHECK_FALSE(cache.valid(straddler));
    CHECK(cache.exit_target(src) == cache.exit_stub(src));
    CHECK(cache.valid(first_only) == (page_addr != 0x100000));
    CHECK(cache.valid(second_only) == (page_addr != 0x101000));
    // Neither page list still holds the dead block: the other page drops nothing more.
    CHECK(cache.invalidate_page(page_addr == 0x100000 ? 0x101000 : 0x100000) == 1);
  }
}

TEST_CASE("code cache: a block ending exactly at a page boundary is on one page", "[code_cache]") {
  Cache cache(1 << 20);
  Id b = add_block(cache, 0x100FF0, 0x101000, 0x101000);
  CHECK(cache.invalidate_page(0x101000) == 0);
  CHECK(cache.valid(b));
  CHECK(cache.invalidate_page(0x100000) == 1);
}

TEST_CASE("code cache: garbage is kept for host lookups until collected", "[code_cache]") {
  Cache cache(1 << 20);
  Id b = add_block(cache, 0x100000, 0x100010, 0x100010);
  uint8_t* host = cache.host(b);
  cache.invalidate(b);
  // A fault in code that is still running must map back to its block.
  CHECK(cache.find_by_host(host + 4) == b);
  cache.collect_garbage();
  CHECK(cache.find_by_host(host + 4) == std::nullopt);
  CHECK(cache.last_invalidated().empty());
}

TEST_CASE("code cache: one-instruction blocks are never found by key", "[code_cache]") {
  Cache cache(1 << 20);
  Id single = cache.add_block(0x100000, 0x100002, 0x100002, kMode, /*single=*/true);
  CHECK(cache.find(0x100000, 0x100000, kMode | mode::kSingle) == std::nullopt);
  CHECK(cache.block_count() == 0);
  uint8_t* host = cache.host(single);
  CHECK(cache.find_by_host(host) == single);
  cache.collect_garbage();
  CHECK(cache.find_by_host(host) == std::nullopt);
}

TEST_CASE("code cache: flush forgets every block and keeps the permanent area", "[code_cache]") {
  Cache cache(1 << 20);
  REQUIRE(cache.allocate(100) == cache.begin());  // stands in for the stubs
  cache.set_permanent(112);
  Id a = add_block(cache, 0x100000, 0x100010, 0x200000);
  Id b = add_block(cache, 0x200000, 0x200010, 0x100000);
  cache.chain(a, b);
  uint8_t* a_host = cache.host(a);
  REQUIRE(cache.used() > 112);

  cache.flush();
  CHECK(cache.block_count() == 0);
  CHECK(cache.find(0x100000, 0x100000, kMode) == std::nullopt);
  CHECK(cache.find(0x200000, 0x200000, kMode) == std::nullopt);
  CHECK(cache.find_by_host(a_host) == std::nullopt);
  CHECK(cache.used() == 112);
  CHECK(cache.allocate(16) == cache.begin() + 112);
  CHECK(cache.invalidate_page(0x100000) == 0);  // no stale page lists
}

// Regression: the engine passes a page's guest address; blocks must be found
// under it (they once were filed by page number and never invalidated).
TEST_CASE("code cache: invalidate_page with the page address the engine passes", "[code_cache]") {
  Cache cache(1 << 20);
  Id b = add_block(cache, 0x101000, 0x101006, 0x100000);
  const uint32_t linear = 0x101001;  // a guest store into that block
  CHECK(cache.invalidate_page(linear & ~0xFFFu) == 1);
  CHECK_FALSE(cache.valid(b));
}
