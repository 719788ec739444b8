// A segment or gate descriptor as the guest's GDT, LDT or IDT holds it
// (SDM vol. 3, 3.4.5 and 6.11), with its fields decoded on demand.
#pragma once
#include <cstdint>

namespace bt86 {

struct Descriptor {
  uint32_t lo = 0, hi = 0;
  uint32_t base() const { return (lo >> 16) | (hi & 0xFF) << 16 | (hi & 0xFF000000); }
  uint32_t limit() const {
    uint32_t raw = (lo & 0xFFFF) | (hi & 0xF0000);
    return hi & 0x800000 ? raw << 12 | 0xFFF : raw;
  }
  uint16_t access() const { return static_cast<uint16_t>(hi >> 8 & 0xF0FF); }
  bool present() const { return hi & 0x8000; }
  unsigned dpl() const { return hi >> 13 & 3; }
  bool system() const { return !(hi & 0x1000); }
  bool code() const { return !system() && (hi & 0x800); }
  unsigned type() const { return hi >> 8 & 0x1F; }
};

}  // namespace bt86
