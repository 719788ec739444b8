// shadow/address_space.h: the shadow windows a guest address space is seen
// through, filled from guest tables built by hand in a small guest RAM:
// identity without paging; the supervisor and user views; read-only until
// the guest entry is dirty; code pages write-protected in every mapping;
// MMIO; invlpg; contexts kept across CR3 loads and kept coherent by tracing
// the tables they were made from. What translated code would see is read
// through the windows themselves.
#include <catch2/catch.hpp>

#include <cstring>

#include "bt86/shadow/address_space.h"
#include "bt86/shadow/host_fault.h"

using namespace bt86;

namespace {

constexpr uint32_t P = 1, RW = 2, US = 4, D = 0x40;
constexpr uint32_t kCr0Pg = (1u << 31) | 1u;
constexpr uint64_t kRam = 8u << 20;

struct Fixture {
  GuestRam ram{kRam};
  AddressSpace aspace{ram};
  void put32(uint64_t at, uint32_t v) { std::memcpy(ram.host(at), &v, 4); }
  uint32_t get32(uint64_t at) const {
    uint32_t v;
    std::memcpy(&v, ram.host(at), 4);
    return v;
  }
  // What translated code reads at linear through a view.
  uint32_t through_window(uint32_t linear, bool user) const {
    uint32_t v;
    std::memcpy(&v, aspace.base(user) + linear, 4);
    return v;
  }
  const ShadowWindow::Mapping* mapping(uint32_t linear, bool user) const {
    bool u = false;
    const ShadowWindow* w = aspace.window_of(reinterpret_cast<uintptr_t>(aspace.base(user)), u);
    REQUIRE(w);
    REQUIRE(u == user);
    return w->mapping(linear & ~0xFFFu);
  }
  // Paging with the directory at `dir` mapping linear 4 MiB region 1
  // through the table at `table`.
  void page_tables(uint32_t dir, uint32_t table) { put32(dir + 4, table | P | RW | US); }
  void map_page(uint32_t table, uint32_t linear, uint32_t phys, uint32_t flags) {
    put32(table + ((linear >> 12) & 0x3FF) * 4, phys | flags);
  }
};

constexpr uint32_t kDir = 0x1000, kTable = 0x2000;
constexpr uint32_t kLinear = 0x00405000;  // in the 4 MiB region the table maps
constexpr uint32_t kData = 0x00300000;    // a data page in RAM

}  // namespace

TEST_CASE("address_space: with paging off linear is physical, and a fill maps the page", "[address_space]") {
  Fixture f;
  f.put32(kData + 8, 0x12345678);
  CHECK(f.aspace.translate(kData + 8, Access::kRead, false).phys == kData + 8);
  CHECK(f.mapping(kData, false) == nullptr);
  AddressSpace::Fill fill = f.aspace.fill(kData + 8, /*write=*/false, /*user=*/false);
  CHECK(fill.outcome == AddressSpace::Outcome::kMapped);
  REQUIRE(f.mapping(kData, false) != nullptr);
  CHECK(f.through_window(kData + 8, false) == 0x12345678);
  // Another host fault in the same window resolves as a fill too (the
  // signal handler's hidden fault).
  WindowFault w = resolve_window_fault(f.aspace, reinterpret_cast<uintptr_t>(f.aspace.base(false)) + kData + 0x2000, true);
  CHECK(w.kind == WindowFault::Kind::kFilled);
  CHECK(w.linear == kData + 0x2000);
}

TEST_CASE("address_space: physical memory that is not RAM is MMIO, never mapped", "[address_space]") {
  Fixture f;
  AddressSpace::Fill fill = f.aspace.fill(0xFEC00000, false, false);
  CHECK(fill.outcome == AddressSpace::Outcome::kMmio);
  CHECK(fill.phys == 0xFEC00000);
  CHECK(f.aspace.fill(0xA0000, false, false).outcome == AddressSpace::Outcome::kMmio);  // the VGA window
}

TEST_CASE("address_space: the user view never maps a supervisor page", "[address_space]") {
  Fixture f;
  f.page_tables(kDir, kTable);
  f.map_page(kTable, kLinear, kData, P | RW);  // supervisor only
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0});
  AddressSpace::Fill user = f.aspace.fill(kLinear, false, /*user=*/true);
  CHECK(user.outcome == AddressSpace::Outcome::kPageFault);
  CHECK(user.error_code == (pf::kPresent | pf::kUser));
  CHECK(f.mapping(kLinear, true) == nullptr);
  CHECK(f.aspace.fill(kLinear, false, /*user=*/false).outcome == AddressSpace::Outcome::kMapped);
  CHECK(f.mapping(kLinear, false) != nullptr);
  CHECK(f.mapping(kLinear, true) == nullptr);
}

TEST_CASE("address_space: a page stays read-only until the guest entry is dirty", "[address_space]") {
  Fixture f;
  f.page_tables(kDir, kTable);
  f.map_page(kTable, kLinear, kData, P | RW | US);
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0});
  REQUIRE(f.aspace.fill(kLinear, /*write=*/false, true).outcome == AddressSpace::Outcome::kMapped);
  REQUIRE(f.mapping(kLinear, true) != nullptr);
  CHECK_FALSE(f.mapping(kLinear, true)->writable);
  CHECK_FALSE(f.get32(kTable + 5 * 4) & D);

  AddressSpace::Fill write = f.aspace.fill(kLinear, /*write=*/true, true);
  CHECK(write.outcome == AddressSpace::Outcome::kMapped);
  CHECK(write.dirty_upgrade);
  CHECK(f.mapping(kLinear, true)->writable);
  CHECK(f.get32(kTable + 5 * 4) & D);
}

TEST_CASE("address_space: code pages are read-only in every mapping until unprotected", "[address_space]") {
  Fixture f;
  f.page_tables(kDir, kTable);
  // The same physical page at two linear addresses.
  f.map_page(kTable, kLinear, kData, P | RW | US | D);
  f.map_page(kTable, kLinear + 0x1000, kData, P | RW | US | D);
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0});
  REQUIRE(f.aspace.fill(kLinear, true, false).outcome == AddressSpace::Outcome::kMapped);
  REQUIRE(f.aspace.fill(kLinear + 0x1000, true, false).outcome == AddressSpace::Outcome::kMapped);
  CHECK(f.mapping(kLinear, false)->writable);

  f.aspace.protect_code(kData);
  CHECK(f.aspace.is_code(kData));
  CHECK_FALSE(f.mapping(kLinear, false)->writable);
  CHECK_FALSE(f.mapping(kLinear + 0x1000, false)->writable);
  AddressSpace::Fill write = f.aspace.fill(kLinear + 0x1000, true, false);
  CHECK(write.outcome == AddressSpace::Outcome::kCodeWrite);
  CHECK(write.phys == kData);

  f.aspace.unprotect_code(kData);
  CHECK(f.mapping(kLinear, false)->writable);
  CHECK(f.mapping(kLinear + 0x1000, false)->writable);
}

TEST_CASE("address_space: invlpg maps a page again from its entry as it is now, in the views that mapped it",
          "[address_space]") {
  Fixture f;
  f.page_tables(kDir, kTable);
  f.map_page(kTable, kLinear, kData, P | RW | US);
  f.map_page(kTable, kLinear + 0x1000, kData, P | RW | US);
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0});
  REQUIRE(f.aspace.fill(kLinear, false, true).outcome == AddressSpace::Outcome::kMapped);
  REQUIRE(f.aspace.fill(kLinear, false, false).outcome == AddressSpace::Outcome::kMapped);
  // Another frame, not accessed yet: mapped from it, A set (as a processor
  // may speculatively), read-only until a write sets D.
  f.map_page(kTable, kLinear, kData + 0x1000, P | RW | US);
  f.aspace.flush_page(kLinear + 0x123);
  for (bool user : {false, true}) {
    REQUIRE(f.mapping(kLinear, user) != nullptr);
    CHECK(f.mapping(kLinear, user)->phys_page == kData + 0x1000);
    CHECK_FALSE(f.mapping(kLinear, user)->writable);
  }
  CHECK((f.get32(kTable + 5 * 4) & 0x60) == 0x20);
  // A supervisor-only entry now: the user view drops the page.
  f.map_page(kTable, kLinear, kData + 0x1000, P | RW | 0x20);
  f.aspace.flush_page(kLinear);
  CHECK(f.mapping(kLinear, true) == nullptr);
  CHECK(f.mapping(kLinear, false) != nullptr);
  // Not present: dropped from every view; a page no view mapped stays so.
  f.map_page(kTable, kLinear, 0, 0);
  f.aspace.flush_page(kLinear);
  CHECK(f.mapping(kLinear, true) == nullptr);
  CHECK(f.mapping(kLinear, false) == nullptr);
  f.aspace.flush_page(kLinear + 0x1000);
  CHECK(f.mapping(kLinear + 0x1000, false) == nullptr);
}

TEST_CASE("address_space: contexts survive CR3 switches and follow writes to their page tables",
          "[address_space]") {
  Fixture f;
  // Two address spaces sharing no table: A maps kLinear to kData, B to kData + 0x1000.
  const uint32_t dir_b = 0x3000, table_b = 0x4000;
  f.page_tables(kDir, kTable);
  f.map_page(kTable, kLinear, kData, P | RW | US);
  f.page_tables(dir_b, table_b);
  f.map_page(table_b, kLinear, kData + 0x1000, P | RW | US);
  f.put32(kData, 0xAAAAAAAA);
  f.put32(kData + 0x1000, 0xBBBBBBBB);

  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, true);
  REQUIRE(f.aspace.fill(kLinear, false, true).outcome == AddressSpace::Outcome::kMapped);
  CHECK(f.through_window(kLinear, true) == 0xAAAAAAAA);
  f.aspace.set_mode({kCr0Pg, dir_b, 0, 0}, true);
  REQUIRE(f.aspace.fill(kLinear, false, true).outcome == AddressSpace::Outcome::kMapped);
  CHECK(f.through_window(kLinear, true) == 0xBBBBBBBB);

  // Back to A: its shadow is still there, no refill needed.
  const uint64_t hits = f.aspace.counters().context_hits;
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, true);
  CHECK(f.aspace.counters().context_hits == hits + 1);
  REQUIRE(f.mapping(kLinear, true) != nullptr);
  CHECK(f.through_window(kLinear, true) == 0xAAAAAAAA);

  // A's leaf table is traced: C++ writing it (note_write) drops A's
  // mapping at A's next TLB flush, since A is current now.
  f.aspace.note_write(kTable);
  f.map_page(kTable, kLinear, kData + 0x1000, P | RW | US);
  CHECK(f.mapping(kLinear, true) != nullptr);  // kept until the flush, as a TLB may
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, /*cr3_load=*/true);
  CHECK(f.mapping(kLinear, true) == nullptr);
  REQUIRE(f.aspace.fill(kLinear, false, true).outcome == AddressSpace::Outcome::kMapped);
  CHECK(f.through_window(kLinear, true) == 0xBBBBBBBB);
}

TEST_CASE("address_space: a table write drops the mappings of the entries it changed, and only those",
          "[address_space]") {
  Fixture f;
  // A maps three pages through one table; B shares A's directory entries.
  const uint32_t dir_b = 0x3000;
  f.page_tables(kDir, kTable);
  f.page_tables(dir_b, kTable);
  for (uint32_t i = 0; i < 3; ++i) f.map_page(kTable, kLinear + i * 0x1000, kData + i * 0x1000, P | RW | US);
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, true);
  for (uint32_t i = 0; i < 3; ++i) REQUIRE(f.aspace.fill(kLinear + i * 0x1000, false, true).outcome == AddressSpace::Outcome::kMapped);
  f.aspace.set_mode({kCr0Pg, dir_b, 0, 0}, true);

  // While B runs, A's second page gets another frame, and the walks' A bit
  // in the first is not the guest's doing: only the second is dropped.
  f.aspace.note_write(kTable);
  f.map_page(kTable, kLinear + 0x1000, kData + 0x4000, P | RW | US);
  f.put32(kTable + 5 * 4, f.get32(kTable + 5 * 4) | 0x20);
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, true);
  CHECK(f.mapping(kLinear, true) != nullptr);
  CHECK(f.mapping(kLinear + 0x1000, true) == nullptr);
  CHECK(f.mapping(kLinear + 0x2000, true) != nullptr);

  // The kept mappings are still traced: a later write is seen too. A guest
  // clearing D expects the next write to set it again, so it counts.
  f.put32(kTable + 7 * 4, f.get32(kTable + 7 * 4) | D);
  REQUIRE(f.aspace.fill(kLinear + 0x2000, true, true).outcome == AddressSpace::Outcome::kMapped);
  f.aspace.note_write(kTable);
  f.map_page(kTable, kLinear + 0x2000, kData + 0x2000, P | RW | US);  // D cleared
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, true);
  CHECK(f.mapping(kLinear, true) != nullptr);
  CHECK(f.mapping(kLinear + 0x2000, true) == nullptr);
}

TEST_CASE("address_space: a mapping made from a table written since the last CR3 load is checked against "
          "what it was made from", "[address_space]") {
  Fixture f;
  f.page_tables(kDir, kTable);
  f.map_page(kTable, kLinear, kData, P | RW | US);
  f.map_page(kTable, kLinear + 0x1000, kData + 0x1000, P | RW | US | 0x20);  // accessed before
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, true);
  REQUIRE(f.aspace.fill(kLinear, false, true).outcome == AddressSpace::Outcome::kMapped);
  REQUIRE(f.mapping(kLinear + 0x1000, true) != nullptr);  // fault-around
  // The table is written (the page another frame), the page is dropped
  // (invlpg) and mapped again from the new entry; then the entry gets its
  // old value back, unseen (the table is not traced within the burst).
  f.aspace.note_write(kTable);
  f.map_page(kTable, kLinear + 0x1000, kData + 0x2000, P | RW | US);
  f.aspace.flush_page(kLinear + 0x1000);
  REQUIRE(f.aspace.fill(kLinear + 0x1000, false, true).outcome == AddressSpace::Outcome::kMapped);
  CHECK(f.mapping(kLinear + 0x1000, true)->phys_page == kData + 0x2000);
  f.map_page(kTable, kLinear + 0x1000, kData + 0x1000, P | RW | US | 0x20);
  // At the CR3 load the mapping made from the new entry goes; the other stays.
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, true);
  CHECK(f.mapping(kLinear + 0x1000, true) == nullptr);
  CHECK(f.mapping(kLinear, true) != nullptr);
}

TEST_CASE("address_space: rewriting a page directory entry drops that entry's region, not the context",
          "[address_space]") {
  Fixture f;
  // Regions 1 and 2 through two tables; then region 2's entry is cleared
  // by a fill that writes the directory through a mapping it makes.
  const uint32_t table2 = 0x5000, linear2 = 0x00805000;
  f.page_tables(kDir, kTable);
  f.put32(kDir + 8, table2 | P | RW | US);
  f.map_page(kTable, kLinear, kData, P | RW | US);
  f.map_page(table2, linear2, kData + 0x1000, P | RW | US);
  f.map_page(kTable, 0x00400000 + kDir, kDir, P | RW | D);  // the directory itself, at 0x401000
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, true);
  REQUIRE(f.aspace.fill(kLinear, false, true).outcome == AddressSpace::Outcome::kMapped);
  REQUIRE(f.aspace.fill(linear2, false, true).outcome == AddressSpace::Outcome::kMapped);
  REQUIRE(f.aspace.fill(0x00400000 + kDir + 8, /*write=*/true, false).outcome == AddressSpace::Outcome::kMapped);
  f.put32(kDir + 8, 0);  // the guest's write, through that mapping
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, true);
  CHECK(f.mapping(kLinear, true) != nullptr);
  CHECK(f.mapping(linear2, true) == nullptr);
  CHECK(f.aspace.fill(linear2, false, true).outcome == AddressSpace::Outcome::kPageFault);
}

TEST_CASE("address_space: a protection change made while a context is away reaches it when it is entered",
          "[address_space]") {
  Fixture f;
  // A and B both map kData writable (dirty) through tables of their own.
  const uint32_t dir_b = 0x3000, table_b = 0x4000;
  f.page_tables(kDir, kTable);
  f.page_tables(dir_b, table_b);
  f.map_page(kTable, kLinear, kData, P | RW | US | D);
  f.map_page(table_b, kLinear, kData, P | RW | US | D);
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, true);
  REQUIRE(f.aspace.fill(kLinear, true, true).outcome == AddressSpace::Outcome::kMapped);
  f.aspace.set_mode({kCr0Pg, dir_b, 0, 0}, true);
  REQUIRE(f.aspace.fill(kLinear, true, true).outcome == AddressSpace::Outcome::kMapped);

  // Code is translated from kData while B runs: B's mapping is read-only at
  // once, A's when A is entered again; unprotected while B runs, A's
  // mapping is writable again when it is entered.
  f.aspace.protect_code(kData);
  CHECK_FALSE(f.mapping(kLinear, true)->writable);
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, true);
  REQUIRE(f.mapping(kLinear, true) != nullptr);
  CHECK_FALSE(f.mapping(kLinear, true)->writable);
  f.aspace.set_mode({kCr0Pg, dir_b, 0, 0}, true);
  f.aspace.unprotect_code(kData);
  CHECK(f.mapping(kLinear, true)->writable);
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0}, true);
  CHECK(f.mapping(kLinear, true)->writable);
}

TEST_CASE("address_space: turning paging on leaves the unpaged context's mappings behind", "[address_space]") {
  Fixture f;
  REQUIRE(f.aspace.fill(kLinear, false, false).outcome == AddressSpace::Outcome::kMapped);
  f.page_tables(kDir, kTable);
  f.map_page(kTable, kLinear, kData, P | RW);
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0});
  CHECK(f.mapping(kLinear, false) == nullptr);
  REQUIRE(f.aspace.fill(kLinear, false, false).outcome == AddressSpace::Outcome::kMapped);
  CHECK(f.mapping(kLinear, false)->phys_page == kData);
}

TEST_CASE("address_space: CR0.WP changes what a supervisor write may do, so it drops every context",
          "[address_space]") {
  Fixture f;
  const uint32_t dir_b = 0x3000;
  f.page_tables(kDir, kTable);
  f.page_tables(dir_b, kTable);
  f.map_page(kTable, kLinear, kData, P | US | D);  // read-only, already dirty
  // Without WP a supervisor write to a read-only page is allowed: mapped writable.
  f.aspace.set_mode({kCr0Pg, dir_b, 0, 0});
  REQUIRE(f.aspace.fill(kLinear, true, false).outcome == AddressSpace::Outcome::kMapped);
  f.aspace.set_mode({kCr0Pg, kDir, 0, 0});
  REQUIRE(f.aspace.fill(kLinear, true, false).outcome == AddressSpace::Outcome::kMapped);
  REQUIRE(f.mapping(kLinear, false)->writable);

  const uint32_t kWp = 1u << 16;
  f.aspace.set_mode({kCr0Pg | kWp, kDir, 0, 0});
  CHECK(f.mapping(kLinear, false) == nullptr);
  AddressSpace::Fill write = f.aspace.fill(kLinear, true, false);
  CHECK(write.outcome == AddressSpace::Outcome::kPageFault);
  CHECK(write.error_code == (pf::kPresent | pf::kWrite));
  // The other address space was made without WP too: dropped, not switched back to.
  const uint64_t hits = f.aspace.counters().context_hits;
  f.aspace.set_mode({kCr0Pg | kWp, dir_b, 0, 0});
  CHECK(f.aspace.counters().context_hits == hits);
  CHECK(f.mapping(kLinear, false) == nullptr);

  // A PGE toggle is a TLB flush, not a new translation: the context stays.
  f.aspace.set_mode({kCr0Pg | kWp, kDir, 0, 0});
  REQUIRE(f.aspace.fill(kLinear, false, false).outcome == AddressSpace::Outcome::kMapped);
  f.aspace.set_mode({kCr0Pg | kWp, kDir, 1u << 7, 0});
  CHECK(f.mapping(kLinear, false) != nullptr);
}
