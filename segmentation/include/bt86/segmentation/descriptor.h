// A segment or gate descriptor as the guest's GDT, LDT or IDT holds it
// (SDM vol. 3, 3.4.5, 3.5 and 6.11), with its fields decoded on demand; the
// access-rights word that segment registers cache (SegmentCache::access);
// and the descriptor types, by name. Every predicate on types and access
// rights is written here once.
#pragma once
#include <cstdint>

namespace bt86 {

// Selectors: the descriptor's byte offset in its table (index * 8), the
// table (TI: the LDT), the requested privilege level (RPL).
constexpr uint32_t selector_offset(uint32_t selector) { return selector & ~7u; }
constexpr bool selector_in_ldt(uint32_t selector) { return selector & 4; }
constexpr unsigned selector_rpl(uint32_t selector) { return selector & 3; }
constexpr uint16_t with_rpl(uint32_t selector, unsigned rpl) { return static_cast<uint16_t>((selector & ~3u) | rpl); }
// Index 0 of the GDT, whatever the RPL: loads but faults on use.
constexpr bool null_selector(uint32_t selector) { return (selector & ~3u) == 0; }
// The error code of #TS, #NP, #SS or #GP naming a selector: its index and
// TI, the RPL bits cleared (EXT and IDT are added where they apply).
constexpr uint32_t selector_error(uint32_t selector) { return selector & ~3u; }

// The access-rights word: descriptor bits 40..55 (type, S, DPL, P, AVL, L,
// D/B, G), with the limit's bits 16..19 (bits 8..11 here) cleared.
namespace access_rights {
constexpr uint16_t kAccessed = 1u << 0;
constexpr uint16_t kReadWrite = 1u << 1;  // R for code, W for data; for a TSS: busy
constexpr uint16_t kConformingOrExpandDown = 1u << 2;  // C for code, E for data
constexpr uint16_t kCode = 1u << 3;
constexpr uint16_t kSegment = 1u << 4;  // S: a code or data segment, not a system descriptor
constexpr uint16_t kDpl = 3u << 5;
constexpr uint16_t kPresent = 1u << 7;
constexpr uint16_t kBig = 1u << 14;  // D/B: 32-bit code, 32-bit stack, 4 GiB expand-down
constexpr uint16_t kGranularity = 1u << 15;

constexpr unsigned dpl(uint16_t a) { return (a & kDpl) >> 5; }
constexpr bool present(uint16_t a) { return a & kPresent; }
constexpr bool system(uint16_t a) { return !(a & kSegment); }
constexpr bool code(uint16_t a) { return !system(a) && (a & kCode); }
constexpr bool data(uint16_t a) { return !system(a) && !(a & kCode); }
constexpr bool conforming(uint16_t a) { return code(a) && (a & kConformingOrExpandDown); }
constexpr bool expand_down(uint16_t a) { return data(a) && (a & kConformingOrExpandDown); }
// Data is always readable, code only with R.
constexpr bool readable(uint16_t a) { return data(a) || (code(a) && (a & kReadWrite)); }
constexpr bool writable_data(uint16_t a) { return data(a) && (a & kReadWrite); }
}  // namespace access_rights

// The types of system descriptors (S = 0), SDM vol. 3, table 3-2.
namespace system_type {
constexpr unsigned kTss16 = 0x1;
constexpr unsigned kLdt = 0x2;
constexpr unsigned kTss16Busy = 0x3;
constexpr unsigned kCallGate16 = 0x4;
constexpr unsigned kTaskGate = 0x5;
constexpr unsigned kInterruptGate16 = 0x6;
constexpr unsigned kTrapGate16 = 0x7;
constexpr unsigned kTss32 = 0x9;
constexpr unsigned kTss32Busy = 0xB;
constexpr unsigned kCallGate32 = 0xC;
constexpr unsigned kInterruptGate32 = 0xE;
constexpr unsigned kTrapGate32 = 0xF;
}  // namespace system_type

struct Descriptor {
  uint32_t lo = 0, hi = 0;
  uint32_t base() const { return (lo >> 16) | (hi & 0xFF) << 16 | (hi & 0xFF000000); }
  uint32_t limit() const {
    uint32_t raw = (lo & 0xFFFF) | (hi & 0xF0000);
    return hi & 0x800000 ? raw << 12 | 0xFFF : raw;
  }
  uint16_t access() const { return static_cast<uint16_t>(hi >> 8 & 0xF0FF); }
  bool present() const { return access_rights::present(access()); }
  unsigned dpl() const { return access_rights::dpl(access()); }
  bool system() const { return access_rights::system(access()); }
  bool code() const { return access_rights::code(access()); }
  bool conforming() const { return access_rights::conforming(access()); }
  bool readable() const { return access_rights::readable(access()); }
  bool writable_data() const { return access_rights::writable_data(access()); }
  // The type field with S above it: a system type (system_type) when S = 0.
  unsigned type() const { return hi >> 8 & 0x1F; }
  // A system descriptor of this type.
  bool is(unsigned system_type) const { return system() && type() == system_type; }

  bool accessed() const { return access() & access_rights::kAccessed; }
  void set_accessed() { hi |= uint32_t{access_rights::kAccessed} << 8; }
  // A TSS descriptor's busy bit.
  void set_busy(bool busy) {
    constexpr uint32_t kBusy = uint32_t{access_rights::kReadWrite} << 8;
    hi = busy ? hi | kBusy : hi & ~kBusy;
  }

  // Gates (call, interrupt, trap, task): the selector they name, the entry
  // offset, and a call gate's count of stack parameters to copy.
  uint16_t gate_selector() const { return static_cast<uint16_t>(lo >> 16); }
  uint32_t gate_offset() const { return (lo & 0xFFFF) | (hi & 0xFFFF0000); }
  unsigned gate_parameters() const { return hi & 0x1F; }
};

}  // namespace bt86
