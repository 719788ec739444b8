// shadow/page_walk.h: guest page-table walks as the MMU does them, on guest
// tables built by hand in a small guest RAM: 2-level paging with 4 KiB and
// 4 MiB (PSE) pages, PAE with 2 MiB pages and NX; permissions (P, R/W, U/S,
// CR0.WP), reserved bits, the accessed and dirty bits, global pages, and
// the table pages a translation was read from (for write tracing).
#include <catch2/catch.hpp>

#include <cstring>

#include "bt86/shadow/page_walk.h"

using namespace bt86;

namespace {

constexpr uint64_t P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
constexpr uint64_t NX = 1ull << 63;
constexpr uint32_t kCr0Pg = 1u << 31, kCr0Wp = 1u << 16;
constexpr uint32_t kCr4Pse = 1u << 4, kCr4Pae = 1u << 5, kCr4Pge = 1u << 7;
constexpr uint64_t kEferNxe = 1u << 11;

// Guest RAM with its tables at fixed places: the directory (or PDPT) at
// 0x1000, tables from 0x2000, data pages above 0x100000.
struct Tables {
  GuestRam ram{8u << 20};
  void put32(uint64_t at, uint32_t v) { std::memcpy(ram.host(at), &v, 4); }
  void put64(uint64_t at, uint64_t v) { std::memcpy(ram.host(at), &v, 8); }
  uint32_t get32(uint64_t at) const {
    uint32_t v;
    std::memcpy(&v, ram.host(at), 4);
    return v;
  }
  uint64_t get64(uint64_t at) const {
    uint64_t v;
    std::memcpy(&v, ram.host(at), 8);
    return v;
  }
};

// 2-level: linear 0x00400000 + (0x123 << 12) through the table at 0x2000.
constexpr uint32_t kDir = 0x1000, kTable = 0x2000, kLinear = 0x00523456, kPage = 0x00200000;
constexpr uint32_t kPde = kDir + (kLinear >> 22) * 4, kPte = kTable + ((kLinear >> 12) & 0x3FF) * 4;

PagingMode two_level(uint32_t cr0_extra = 0, uint32_t cr4 = 0) { return {kCr0Pg | 1u | cr0_extra, kDir, cr4, 0}; }

}  // namespace

TEST_CASE("page_walk: a 4 KiB page through two levels, A and D set as the CPU sets them", "[page_walk]") {
  Tables t;
  t.put32(kPde, kTable | P | RW | US);
  t.put32(kPte, kPage | P | RW | US);

  Walk r = walk(t.ram, two_level(), kLinear, Access::kRead, /*user=*/true);
  REQUIRE(r.ok);
  CHECK(r.phys == kPage + (kLinear & 0xFFF));
  CHECK(r.writable);
  CHECK_FALSE(r.accessed);  // A was clear before this walk
  CHECK(t.get32(kPde) & A);
  CHECK(t.get32(kPte) & A);
  CHECK_FALSE(t.get32(kPte) & D);  // a read leaves D alone
  CHECK_FALSE(r.dirty);
  CHECK(r.table_page == kTable);  // traced for coherence
  CHECK(r.directory_page == Walk::kNone);  // only PAE has one apart from CR3

  Walk w = walk(t.ram, two_level(), kLinear, Access::kWrite, true);
  REQUIRE(w.ok);
  CHECK(w.accessed);
  CHECK(w.dirty);
  CHECK(t.get32(kPte) & D);
  CHECK_FALSE(t.get32(kPde) & D);  // D exists in the leaf only
}

TEST_CASE("page_walk: not present, user against supervisor, and read-only pages fault with the right code",
          "[page_walk]") {
  Tables t;
  t.put32(kPde, kTable | P | RW | US);

  Walk absent = walk(t.ram, two_level(), kLinear, Access::kWrite, true);
  CHECK_FALSE(absent.ok);
  CHECK(absent.error_code == (pf::kWrite | pf::kUser));  // P clear: not present

  t.put32(kPte, kPage | P | RW);  // supervisor only
  Walk user = walk(t.ram, two_level(), kLinear, Access::kRead, true);
  CHECK_FALSE(user.ok);
  CHECK(user.error_code == (pf::kPresent | pf::kUser));
  CHECK(walk(t.ram, two_level(), kLinear, Access::kRead, false).ok);

  t.put32(kPte, kPage | P | US);  // read-only
  CHECK_FALSE(walk(t.ram, two_level(), kLinear, Access::kWrite, true).ok);
  // Supervisor writes to a read-only page: allowed unless CR0.WP.
  Walk wp_off = walk(t.ram, two_level(), kLinear, Access::kWrite, false);
  CHECK(wp_off.ok);
  CHECK(wp_off.writable);
  CHECK(t.get32(kPte) & D);  // that write succeeded, so it set D
  t.put32(kPte, kPage | P | US);
  Walk wp_on = walk(t.ram, two_level(kCr0Wp), kLinear, Access::kWrite, false);
  CHECK_FALSE(wp_on.ok);
  CHECK(wp_on.error_code == (pf::kPresent | pf::kWrite));
  // A fault sets no bit.
  CHECK(t.get32(kPte) == (kPage | P | US));
}

TEST_CASE("page_walk: without set_bits a walk leaves A and D alone", "[page_walk]") {
  Tables t;
  t.put32(kPde, kTable | P | RW | US);
  t.put32(kPte, kPage | P | RW | US);
  REQUIRE(walk(t.ram, two_level(), kLinear, Access::kWrite, true, /*set_bits=*/false).ok);
  CHECK(t.get32(kPde) == (kTable | P | RW | US));
  CHECK(t.get32(kPte) == (kPage | P | RW | US));
}

TEST_CASE("page_walk: 4 MiB pages with CR4.PSE, their reserved bits, and a PS bit without PSE", "[page_walk]") {
  Tables t;
  const uint32_t big = 0x00400000;  // the 4 MiB page the PDE maps
  t.put32(kPde, big | P | RW | PS);
  Walk r = walk(t.ram, two_level(0, kCr4Pse), kLinear, Access::kRead, false);
  REQUIRE(r.ok);
  CHECK(r.phys == big + (kLinear & 0x3FFFFF));
  CHECK(r.table_page == Walk::kNone);  // no leaf table
  CHECK(t.get32(kPde) & A);

  t.put32(kPde, big | P | RW | PS | (1u << 13));  // bits 13-21 are reserved without PSE-36
  Walk rsvd = walk(t.ram, two_level(0, kCr4Pse), kLinear, Access::kRead, false);
  CHECK_FALSE(rsvd.ok);
  CHECK(rsvd.error_code == (pf::kPresent | pf::kReserved));

  // Without CR4.PSE the PS bit means nothing: the PDE points at a table.
  t.put32(kPde, kTable | P | RW | PS);
  t.put32(kPte, kPage | P);
  Walk small = walk(t.ram, two_level(), kLinear, Access::kRead, false);
  REQUIRE(small.ok);
  CHECK(small.phys == kPage + (kLinear & 0xFFF));
}

TEST_CASE("page_walk: global pages only with CR4.PGE", "[page_walk]") {
  Tables t;
  t.put32(kPde, kTable | P | RW);
  t.put32(kPte, kPage | P | RW | G);
  CHECK_FALSE(walk(t.ram, two_level(), kLinear, Access::kRead, false).global);
  CHECK(walk(t.ram, two_level(0, kCr4Pge), kLinear, Access::kRead, false).global);
}

TEST_CASE("page_walk: PAE, with 2 MiB pages, NX and the directory page traced", "[page_walk]") {
  Tables t;
  // CR3 -> PDPT at 0x1000; PDPTE 0 -> directory at 0x3000; PDE 2 -> table at 0x4000.
  const uint32_t pdpt = 0x1000, dir = 0x3000, table = 0x4000, linear = 0x00456789;
  const PagingMode pae{kCr0Pg | 1u, pdpt, kCr4Pae, kEferNxe};
  t.put64(pdpt, dir | P);
  t.put64(dir + 2 * 8, table | P | RW | US);
  t.put64(table + 0x56 * 8, kPage | P | RW | US | NX);
  Walk r = walk(t.ram, pae, linear, Access::kRead, true);
  REQUIRE(r.ok);
  CHECK(r.phys == kPage + 0x789);
  CHECK(r.table_page == table);
  CHECK(r.directory_page == dir);
  // NX with EFER.NXE: no fetch, and the fault says it was one.
  Walk fetch = walk(t.ram, pae, linear, Access::kFetch, true);
  CHECK_FALSE(fetch.ok);
  CHECK(fetch.error_code == (pf::kPresent | pf::kUser | pf::kFetch));
  // Without NXE the NX bit is reserved.
  PagingMode no_nxe = pae;
  no_nxe.efer = 0;
  Walk rsvd = walk(t.ram, no_nxe, linear, Access::kRead, true);
  CHECK_FALSE(rsvd.ok);
  CHECK((rsvd.error_code & pf::kReserved) != 0);

  // A 2 MiB page: PDE 3 with PS.
  t.put64(dir + 3 * 8, 0x00600000 | P | RW | PS);
  Walk big = walk(t.ram, pae, 0x00654321, Access::kWrite, false);
  REQUIRE(big.ok);
  CHECK(big.phys == 0x00654321);
  CHECK(t.get64(dir + 3 * 8) & D);
  // A PDPTE that is not present faults before any directory is read.
  CHECK_FALSE(walk(t.ram, pae, 0x40000000, Access::kRead, false).ok);
}

TEST_CASE("page_walk: PDPTEs with reserved bits cannot be loaded", "[page_walk]") {
  Tables t;
  t.put64(0x1000, 0x3000 | P);
  CHECK(pae_pdptes_valid(t.ram, 0x1000));
  t.put64(0x1008, 0x5000 | P | RW);  // R/W is reserved in a PAE PDPTE
  CHECK_FALSE(pae_pdptes_valid(t.ram, 0x1000));
  t.put64(0x1008, 0x5000 | RW);  // not present: its other bits do not matter
  CHECK(pae_pdptes_valid(t.ram, 0x1000));
}

TEST_CASE("page_walk: tables outside RAM read as not present", "[page_walk]") {
  Tables t;
  t.put32(kPde, 0x7FFF0000u | P | RW);  // a table far beyond the 8 MiB of RAM
  Walk r = walk(t.ram, two_level(), kLinear, Access::kRead, false);
  CHECK_FALSE(r.ok);
  CHECK(r.error_code == 0);
}
