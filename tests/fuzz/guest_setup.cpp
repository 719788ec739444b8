#include "guest_setup.h"

#include <fmt/format.h>

#include <cstring>

namespace bt86::fuzz {

namespace {

constexpr uint16_t kCode = 0x08, kData = 0x10, kCode16 = 0x18, kData16 = 0x20, kData16Big = 0x28;

void put(Machine& m, uint32_t gpa, const void* p, size_t n) { std::memcpy(m.ram.host(gpa), p, n); }

// A byte-granular descriptor with limit 0xFFFF; `access` as SegmentCache's.
uint64_t descriptor(uint32_t base, uint16_t access) {
  return 0xFFFFull | uint64_t{base & 0xFFFFFF} << 16 | uint64_t{access} << 40 | uint64_t{base >> 24} << 56;
}

// The 16-bit modes' segments (fuzz_abi.h): code based at the slot, data
// (and stack) based at 0, all with 64 KiB limits, as the native side's LDT.
void load_code16(CpuState& c, const Run& r, uint64_t* gdt) {
  using namespace access_rights;
  const auto data = static_cast<uint16_t>(kPresent | kSegment | kReadWrite | kAccessed);
  const auto code = static_cast<uint16_t>(data | kCode);
  const uint32_t base = code_base(slot_of(r.code_addr), r.mode);
  gdt[3] = descriptor(base, code);
  gdt[4] = descriptor(0, data);
  gdt[5] = descriptor(0, static_cast<uint16_t>(data | kBig));
  const bool real = r.mode == FUZZ_MODE_REAL;
  // Real mode: the selector is only what an exception pushes; the cache
  // holds the slot's base (above 1 MiB, which no paragraph reaches), as
  // the reset state holds a base no paragraph gives.
  c.seg[kCs] = SegmentCache{real ? static_cast<uint16_t>(base >> 4) : kCode16, code, base, 0xFFFF};
  for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) c.seg[s] = SegmentCache{real ? uint16_t{0} : kData16, data, 0, 0xFFFF};
  if (r.mode == FUZZ_MODE_PM16_SS32) c.seg[kSs] = SegmentCache{kData16Big, static_cast<uint16_t>(data | kBig), 0, 0xFFFF};
  c.eip = r.code_addr - base;
  if (real) {
    c.cr0 &= ~cr0::kPE;
    c.idtr = {0, 0x3FF};  // the IVT: vector v at 0000:kHandlers + v
  }
}

}  // namespace

std::unique_ptr<Machine> make_machine() {
  MachineConfig config;
  config.memory_bytes = 8u << 20;
  config.serial_out = [](uint8_t) {};
  return std::make_unique<Machine>(config);
}

void load_guest(Machine& m, const Run& r) {
  // Flat 4 GiB code (exec/read) and data (read/write) segments, 32-bit;
  // the 16-bit modes' segments after them.
  uint64_t gdt[6] = {0, 0x00CF9B000000FFFFull, 0x00CF93000000FFFFull};
  for (uint32_t v = 0; v < kVectors; ++v) {
    const uint32_t handler = kHandlers + v;
    const uint64_t gate = (handler & 0xFFFFull) | uint64_t{kCode} << 16 | 0x8E00ull << 32 |
                          uint64_t{handler >> 16} << 48;  // 32-bit interrupt gate, DPL 0
    put(m, kIdt + 8 * v, &gate, 8);
    const uint8_t hlt = 0xF4;
    put(m, handler, &hlt, 1);
  }
  put(m, r.code_addr, r.code->data(), r.code->size());
  put(m, FUZZ_DATA_BASE, r.data->data(), FUZZ_DATA_SIZE);

  CpuState& c = m.cpu;
  std::memcpy(c.gpr, r.state->gpr, sizeof c.gpr);
  c.eip = r.code_addr;
  c.eflags = r.state->eflags | eflags::kIF | eflags::kFixed1;
  c.cr0 = cr0::kPE | cr0::kMP | cr0::kET | cr0::kNE;
  c.cr2 = c.cr3 = 0;
  c.cr4 = (1u << 9) | (1u << 10);  // OSFXSR, OSXMMEXCPT
  c.efer = 0;
  load_flat(c.seg[kCs], kCode, true);
  for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) load_flat(c.seg[s], kData, false);
  for (SegmentCache& s : c.seg) s.access |= 1;  // accessed, as the GDT entries say
  c.gdtr = {kGdt, sizeof gdt - 1};
  c.idtr = {kIdt, kVectors * 8 - 1};
  c.ldtr = {};
  c.tr = {};
  if (r.mode != FUZZ_MODE_FLAT32) load_code16(c, r, gdt);
  put(m, kGdt, gdt, sizeof gdt);
  if (r.mode == FUZZ_MODE_REAL)
    for (uint32_t v = 0; v < kVectors; ++v) {
      const uint32_t entry = kHandlers + v;  // offset, then segment 0
      put(m, 4 * v, &entry, 4);
    }
  c.halted = false;
  std::memcpy(c.fxsave, r.state->fx, sizeof c.fxsave);
  std::memset(c.fxsave + 6, 0, 18);  // FOP, FIP, FDP: 64-bit layout here; none yet
}

Outcome read_guest(Machine& m, const Run& r, uint32_t hlt_eip) {
  Outcome o;
  CpuState& c = m.cpu;
  std::memcpy(o.state.gpr, c.gpr, sizeof c.gpr);
  o.state.eflags = c.eflags;
  o.state.eip = hlt_eip;
  std::memcpy(o.state.fx, c.fxsave, sizeof o.state.fx);
  if (hlt_eip == r.end_eip) {
    o.vector = FUZZ_END;
  } else {
    o.vector = hlt_eip - kHandlers;
    // The frame: 32-bit (an interrupt gate) or real mode's 16-bit one,
    // pushed through SP where the stack is 16-bit (SS.B = 0).
    uint32_t& esp = o.state.gpr[kEsp];
    const bool real = r.mode == FUZZ_MODE_REAL, sp16 = !(c.seg[kSs].access & access_rights::kBig);
    const uint32_t size = real ? 2 : 4;
    auto pop = [&] {
      const uint32_t at = sp16 ? esp & 0xFFFF : esp;
      uint32_t v = 0;
      if (m.ram.contains(at, size)) std::memcpy(&v, m.ram.host(at), size);
      esp = sp16 ? (esp & 0xFFFF0000) | ((esp + size) & 0xFFFF) : esp + size;
      return v;
    };
    if (!real && (o.vector == 8 || (o.vector >= 10 && o.vector <= 14) || o.vector == 17)) o.error_code = pop();
    o.state.eip = pop();
    pop();  // CS
    o.state.eflags = real ? (c.eflags & 0xFFFF0000) | pop() : pop();
  }
  o.data.assign(m.ram.host(FUZZ_DATA_BASE), m.ram.host(FUZZ_DATA_BASE) + FUZZ_DATA_SIZE);
  return o;
}

Outcome finish_run(Machine& m, const Run& r, const RunOutcome& end, std::string_view side) {
  const uint32_t hlt_eip = m.cpu.eip - 1;  // both backends stop with EIP past the hlt
  if (end.exit_status == exit_status::kHalted && (hlt_eip == r.end_eip || hlt_eip - kHandlers < kVectors))
    return read_guest(m, r, hlt_eip);
  Outcome o;
  o.vector = end.exit_status == exit_status::kTimeout ? FUZZ_TIMEOUT : kStopped;
  o.note = fmt::format("{} stopped at EIP={:#x}: {}", side, m.cpu.eip, end.message);
  return o;
}

}  // namespace bt86::fuzz
