// shadow/shadow_window.h: host_mappings() bounds the VMAs a window really
// costs (counted in /proc/self/maps), tightly where pages cannot merge, for
// scattered and dense mappings and after unmaps.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "bt86/shadow/shadow_window.h"

namespace {
using bt86::ShadowWindow;

size_t vmas_in(uintptr_t start, uintptr_t end) {
  std::ifstream maps("/proc/self/maps");
  size_t n = 0;
  for (std::string line; std::getline(maps, line);) {
    std::istringstream in(line);
    uintptr_t lo, hi;
    char dash;
    in >> std::hex >> lo >> dash >> hi;
    n += lo >= start && hi <= end;
  }
  return n;
}

size_t vmas(const ShadowWindow& w) {
  auto base = reinterpret_cast<uintptr_t>(w.base());
  return vmas_in(base - ShadowWindow::kGuard, base + ShadowWindow::kSpan + ShadowWindow::kGuard);
}

// An upper bound, off by at most the guard and edge pieces it assumes.
void check_bound(const ShadowWindow& w) {
  size_t real = vmas(w);
  INFO("host VMAs " << real << ", bound " << w.host_mappings());
  CHECK(real <= w.host_mappings());
  CHECK(w.host_mappings() <= real + 2);
}
}  // namespace

TEST_CASE("shadow window: host_mappings bounds the host VMAs", "[shadow]") {
  bt86::GuestRam ram(16 << 20);
  ShadowWindow w(ram);
  check_bound(w);
  // Scattered: a mapping and a PROT_NONE piece per page.
  for (uint32_t i = 0; i < 100; ++i) w.map(0x100000 + i * 0x2000, i * 0x1000, true);
  check_bound(w);
  // Dense, physically backwards (nothing merges): a VMA per page.
  for (uint32_t i = 0; i < 100; ++i) w.map(0x800000 + i * 0x1000, 0x800000 - i * 0x1000, i % 2);
  check_bound(w);
  w.unmap(0x800000 + 50 * 0x1000);  // a hole in the dense stretch
  check_bound(w);
  w.unmap(0x100000);  // the first scattered page
  check_bound(w);
  w.unmap_range(0x800000, 0x20000);  // the start of the dense stretch
  check_bound(w);
  w.unmap_range(0, 0x80000000);  // most pages: counted again from scratch
  check_bound(w);
  w.map_run(0x400000, 0x400000, 64, true);  // one run, one VMA
  CHECK(vmas(w) <= w.host_mappings());
  w.unmap_all();
  CHECK(w.host_mappings() == 2);
}

TEST_CASE("shadow window: a page unmapped and mapped again costs no new host mapping", "[shadow]") {
  bt86::GuestRam ram(16 << 20);
  ShadowWindow w(ram);
  *ram.host(0x5000) = 0x5A;
  *ram.host(0x6000) = 0xA5;
  w.map(0x300000, 0x5000, false);
  const size_t before = vmas(w);
  w.unmap(0x300000);  // parked: no longer mapped, the VMA stays
  CHECK(w.mapping(0x300000) == nullptr);
  CHECK(w.mapped_pages() == 0);
  CHECK(vmas(w) == before);
  check_bound(w);
  w.map(0x300000, 0x5000, true);  // the same frame: opened again
  REQUIRE(w.mapping(0x300000) != nullptr);
  CHECK(w.mapping(0x300000)->writable);
  CHECK(w.base()[0x300000] == 0x5A);
  CHECK(vmas(w) == before);
  w.unmap(0x300000);
  w.map(0x300000, 0x6000, false);  // another frame: mapped anew
  CHECK(w.base()[0x300000] == 0xA5);
  check_bound(w);
  w.unmap(0x300000);
  w.unmap_range(0, 0x400000);  // a parked page goes with its range
  CHECK(w.host_mappings() == 2);
}
