// One shadow window: 4 GiB of host virtual memory where guest linear
// address v lives at base() + v, with never-mapped guard regions on both
// sides. Translated code only forms base + (32-bit value) plus a bounded
// overshoot, so whatever the guest does it cannot reach host memory
// outside [base - kGuard, base + 4 GiB + kGuard): isolation by construction.
// The window maps 4 KiB pages of the guest-RAM memfd on request and keeps
// track of what it maps.
#pragma once
#include <cstdint>
#include <array>
#include <memory>

#include "bt86/shadow/guest_ram.h"

namespace bt86 {

class ShadowWindow {
public:
  static constexpr uint64_t kSpan = 1ull << 32;
  // Covers bt/bts/btr/btc's ±256 MiB bit-offset reach and any access size.
  static constexpr uint64_t kGuard = 1ull << 30;
  static constexpr uint64_t kPage = 4096;

  explicit ShadowWindow(const GuestRam& ram);
  ~ShadowWindow();
  ShadowWindow(const ShadowWindow&) = delete;
  ShadowWindow& operator=(const ShadowWindow&) = delete;

  uint8_t* base() const { return base_; }
  enum class Region { kOutside, kGuardBelow, kWindow, kGuardAbove };
  Region classify(uintptr_t host_addr) const;
  uint32_t linear(uintptr_t host_addr) const { return static_cast<uint32_t>(host_addr - reinterpret_cast<uintptr_t>(base_)); }

  struct Mapping {
    uint32_t phys_page;
    bool writable;  // as mapped now
    bool present;   // (an unmapped page's slot reads false)
    // Unmapped by unmap(): the host mapping stays, made inaccessible, so
    // mapping the same page again is one mprotect and neither costs a VMA
    // split or merge (an invlpg and the refill after it).
    bool parked;
  };
  // Maps the RAM page at phys_page at linear_page (both 4 KiB aligned).
  void map(uint32_t linear_page, uint32_t phys_page, bool writable) { map_run(linear_page, phys_page, 1, writable); }
  // Maps `pages` consecutive RAM pages from phys_page at linear_page: one
  // host mmap for all of them.
  void map_run(uint32_t linear_page, uint32_t phys_page, uint32_t pages, bool writable);
  void set_writable(uint32_t linear_page, bool writable);
  void unmap(uint32_t linear_page);
  // Drops the mappings in [start, start + size) (page aligned, in the window).
  void unmap_range(uint32_t start, uint64_t size);
  void unmap_all();
  const Mapping* mapping(uint32_t linear_page) const {
    const Mapping* m = slot(linear_page);
    return m && m->present ? m : nullptr;
  }
  size_t mapped_pages() const { return mapped_pages_; }
  // At most how many host VMAs the window costs: one per mapped page (the
  // kernel may merge neighbours, but need not), one per stretch of
  // unmapped pages between them (the PROT_NONE reservation splits), and
  // one for the guard regions (a parked page counts as mapped). Dense
  // mappings cost about a VMA per page,
  // scattered ones two.
  size_t host_mappings() const { return mapped_pages_ + parked_pages_ + gaps_ + 1; }

private:
  // What is mapped, by linear page: a directory of 4 MiB chunks, each made
  // when its first page is mapped and freed with its last (a lookup is two
  // loads, not a hash; a range with nothing mapped is skipped 4 MiB at a time).
  static constexpr uint32_t kChunkPages = 1024;
  struct Chunk {
    std::array<Mapping, kChunkPages> pages = {};
    uint32_t occupied = 0;  // slots present or parked
  };
  Mapping* slot(uint64_t page) const {
    Chunk* c = chunks_[page >> 22].get();
    return c ? &c->pages[(page >> 12) & (kChunkPages - 1)] : nullptr;
  }
  Mapping& make_slot(uint32_t page);
  void forget(uint32_t page);
  // Whether the host has a mapping of the guest-RAM file there (present or parked).
  bool occupied(uint64_t page) const {
    const Mapping* m = page < kSpan ? slot(page) : nullptr;
    return m && (m->present || m->parked);
  }
  // Stretches of unmapped pages that start in [from, to] (page addresses).
  size_t gaps_starting(uint64_t from, uint64_t to) const;

  const GuestRam& ram_;
  uint8_t* reservation_ = nullptr;
  uint8_t* base_ = nullptr;
  std::array<std::unique_ptr<Chunk>, 1024> chunks_;
  size_t mapped_pages_ = 0;
  size_t parked_pages_ = 0;
  size_t gaps_ = 1;  // stretches of unmapped pages: at first the whole window
};

}  // namespace bt86
