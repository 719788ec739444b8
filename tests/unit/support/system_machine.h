// Test support: a protected-mode machine for the segmentation library's
// system instructions (interrupt delivery, iret, task switches), run on the
// library's own SystemContext with no translator behind it. Guest memory is
// a flat 1 MiB (linear = physical, whatever CR0.PG says: the machine walks
// no page tables) in which the tests build a GDT, an IDT and TSSs; pages can
// be made absent, so that an access to them is a #PF with the CR2 and error
// code a supervisor access to a not-present page gives.
#pragma once
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "bt86/segmentation/segment_check.h"
#include "bt86/segmentation/system_context.h"

namespace bt86::test {

// Descriptors as a guest writes them.
inline Descriptor segment_descriptor(uint32_t base, uint32_t limit, bool code, unsigned dpl, bool present = true) {
  // 32-bit, byte granular; code execute/read, data read/write.
  const uint32_t type = 0x10 | (code ? 0xA : 0x2);
  const uint32_t access = type | (present ? 0x80u : 0u) | dpl << 5;
  return {(base & 0xFFFF) << 16 | (limit & 0xFFFF),
          (base >> 16 & 0xFF) | access << 8 | (limit & 0xF0000) | 0x400000 | (base & 0xFF000000)};
}
inline Descriptor system_descriptor(unsigned type, uint32_t base, uint32_t limit, unsigned dpl = 0) {
  return {(base & 0xFFFF) << 16 | (limit & 0xFFFF),
          (base >> 16 & 0xFF) | (type | 0x80u | dpl << 5) << 8 | (limit & 0xF0000) | (base & 0xFF000000)};
}
inline Descriptor gate_descriptor(unsigned type, uint16_t selector, uint32_t offset, unsigned dpl,
                                  bool present = true) {
  return {uint32_t{selector} << 16 | (offset & 0xFFFF),
          (offset & 0xFFFF0000) | (type | (present ? 0x80u : 0u) | dpl << 5) << 8};
}

class SystemMachine : public SystemContext {
public:
  static constexpr uint32_t kMemory = 1u << 20;
  static constexpr uint32_t kGdt = 0x1000, kIdt = 0x2000;

  CpuState state{};
  std::vector<uint8_t> memory = std::vector<uint8_t>(kMemory);
  std::set<uint32_t> absent_pages;  // linear page numbers whose accesses are #PF
  // Linear page numbers that direct() does not give for writes (as bt86's
  // pages holding translated code or traced page tables).
  std::set<uint32_t> read_only_pages;
  // False: direct() and the peeks give nothing, so that the fast paths
  // (user_kernel_switch.h) leave everything to the general ones.
  bool quick = true;
  unsigned segment_notices = 0, paging_notices = 0;

  SystemMachine() : SystemContext(state) {
    state.cr0 = cr0::kPE;
    state.gdtr = {kGdt, 0x7FF};
    state.idtr = {kIdt, 0x7FF};
    state.eflags = eflags::kFixed1;
  }

  void put(uint32_t at, const void* v, unsigned size) { std::memcpy(&memory.at(at + size - 1) - (size - 1), v, size); }
  void put32(uint32_t at, uint32_t v) { put(at, &v, 4); }
  uint32_t get32(uint32_t at) const {
    uint32_t v;
    std::memcpy(&v, &memory.at(at + 3) - 3, 4);
    return v;
  }
  void set_gdt(uint16_t selector, const Descriptor& d) { put_descriptor(kGdt + selector_offset(selector), d); }
  void set_idt(uint8_t vector, const Descriptor& d) { put_descriptor(kIdt + vector * 8u, d); }
  Descriptor gdt(uint16_t selector) const {
    return {get32(kGdt + selector_offset(selector)), get32(kGdt + selector_offset(selector) + 4)};
  }
  // Loads segment register seg from the GDT entry the selector names, as a
  // completed segment load leaves it (no checks: the tests set up state).
  void load(unsigned seg, uint16_t selector) {
    const Descriptor d = gdt(selector);
    state.seg[seg] = SegmentCache{selector, d.access(), d.base(), d.limit()};
    refresh_segment_checks(state);
  }
  void load_tr(uint16_t selector) {
    const Descriptor d = gdt(selector);
    state.tr = SegmentCache{selector, d.access(), d.base(), d.limit()};
  }
  // The dword at offset `slot * 4` above ESP.
  uint32_t stack(unsigned slot) const { return get32(state.seg[kSs].base + state.gpr[kEsp] + slot * 4); }

  // ---- SystemContext ------------------------------------------------------
  bool read_linear(uint32_t linear, void* dst, unsigned size, Privilege) override {
    if (!accessible(linear, size, false)) return false;
    std::memcpy(dst, &memory[linear], size);
    return true;
  }
  bool write_linear(uint32_t linear, const void* src, unsigned size, Privilege) override {
    if (!accessible(linear, size, true)) return false;
    std::memcpy(&memory[linear], src, size);
    return true;
  }
  bool read_table_entry(uint32_t linear, Descriptor& out) override {
    return read_linear(linear, &out.lo, 4, Privilege::kSupervisor) &&
           read_linear(linear + 4, &out.hi, 4, Privilege::kSupervisor);
  }
  uint8_t* direct(uint32_t linear, unsigned size, bool write, Privilege) override {
    const bool writable = !(write && read_only_pages.count(linear >> 12));
    return quick && quietly_accessible(linear, size) && writable ? &memory[linear] : nullptr;
  }
  bool peek(uint32_t linear, void* dst, unsigned size) override {
    if (!quick || !quietly_accessible(linear, size)) return false;
    std::memcpy(dst, &memory[linear], size);
    return true;
  }
  bool peek_table_entry(uint32_t linear, Descriptor& out) override { return peek(linear, &out, sizeof out); }
  void segments_changed() override {
    ++segment_notices;
    refresh_segment_checks(state);
  }
  void data_segment_changed(unsigned seg) override { refresh_segment_check(state, seg); }
  void eflags_changed() override {}
  void paging_changed(bool) override { ++paging_notices; }
  std::string describe_instruction() const override { return "the instruction under test"; }

private:
  void put_descriptor(uint32_t at, const Descriptor& d) {
    put32(at, d.lo);
    put32(at + 4, d.hi);
  }
  // An absent page is a #PF (supervisor access, not present); past the
  // memory is a test bug.
  bool accessible(uint32_t linear, unsigned size, bool write) {
    for (uint32_t page = linear >> 12; page <= (linear + size - 1) >> 12; ++page)
      if (absent_pages.count(page)) return raise_pf(std::max(linear, page << 12), write ? 2u : 0u);
    if (linear >= kMemory || size > kMemory - linear) return die("access past the test machine's memory");
    return true;
  }
  bool quietly_accessible(uint32_t linear, unsigned size) const {
    if (linear >= kMemory || size > kMemory - linear) return false;
    for (uint32_t page = linear >> 12; page <= (linear + size - 1) >> 12; ++page)
      if (absent_pages.count(page)) return false;
    return true;
  }
};

}  // namespace bt86::test
