// Shadow descriptor tables: where the GDT, LDT and IDT entries that segment
// loads and interrupt delivery read live in guest RAM, remembered by the
// linear address of the entry, so a load no longer walks the guest page
// tables (see docs/ARCHITECTURE.md, "Shadow descriptor tables").
//
// An entry remembers the translation, not the descriptor: find() reads the
// eight bytes from guest RAM every time, so a guest (or KVM, or the CPU
// setting an accessed bit) writing its tables through any mapping is seen at
// the next load, as on hardware, with no write tracing at all. Like a TLB
// entry, a remembered translation stays valid until the guest flushes its
// TLB (a CR3 load, invlpg, a paging-mode change), which calls forget_all().
#pragma once
#include <array>
#include <cstdint>

#include "bt86/segmentation/descriptor.h"

namespace bt86 {

class DescriptorCache {
public:
  static constexpr unsigned kEntries = 256;  // direct-mapped by linear address (see slot_of)

  // The descriptor at `linear`, if its place in RAM is remembered.
  bool find(uint32_t linear, Descriptor& out);
  // `host`: the entry's eight bytes in guest RAM (mapped once for the whole
  // run, so the pointer stays valid). Entries crossing a page are not kept.
  void remember(uint32_t linear, const uint8_t* host);
  // The linear-to-physical translation may have changed.
  void forget_all() { ++generation_; }

  struct Counters {
    uint64_t hits = 0, misses = 0;
  };
  const Counters& counters() const { return counters_; }

private:
  struct Entry {
    uint32_t linear = 0;
    uint32_t generation = 0;  // valid only while equal to generation_
    const uint8_t* host = nullptr;
  };
  std::array<Entry, kEntries> entries_{};
  uint32_t generation_ = 1;
  Counters counters_;
};

}  // namespace bt86
