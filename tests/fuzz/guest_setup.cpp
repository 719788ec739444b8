#include "guest_setup.h"

#include <fmt/format.h>

#include <cstring>

namespace bt86::fuzz {

namespace {

constexpr uint16_t kCode = 0x08, kData = 0x10;

void put(Machine& m, uint32_t gpa, const void* p, size_t n) { std::memcpy(m.ram.host(gpa), p, n); }

}  // namespace

std::unique_ptr<Machine> make_machine() {
  MachineConfig config;
  config.memory_bytes = 8u << 20;
  config.serial_out = [](uint8_t) {};
  return std::make_unique<Machine>(config);
}

void load_guest(Machine& m, const Run& r) {
  // Flat 4 GiB code (exec/read) and data (read/write) segments, 32-bit.
  const uint64_t gdt[3] = {0, 0x00CF9B000000FFFFull, 0x00CF93000000FFFFull};
  put(m, kGdt, gdt, sizeof gdt);
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
    uint32_t& esp = o.state.gpr[kEsp];
    auto pop = [&] {
      uint32_t v = 0;
      if (m.ram.contains(esp, 4)) std::memcpy(&v, m.ram.host(esp), 4);
      esp += 4;
      return v;
    };
    if (o.vector == 8 || (o.vector >= 10 && o.vector <= 14) || o.vector == 17) o.error_code = pop();
    o.state.eip = pop();
    pop();  // CS
    o.state.eflags = pop();
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
