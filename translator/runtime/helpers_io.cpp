// Port I/O helpers: in/out and the string forms, through the I/O bus. A
// rep ins/outs runs here element by element, and stops between elements
// whenever the engine has something to do first (string_loop_must_yield):
// ECX and EDI/ESI then say how far it got, EIP stays on it, and it goes on
// when translated code runs it again.
#include "bt86/segmentation/privilege.h"
#include "emit/emit.h"
#include "runtime/guest_operands.h"
#include "runtime/helpers.h"

namespace bt86 {

namespace {
// What a string instruction adds to ESI/EDI per element: EFLAGS.DF says which way.
uint32_t string_step(const CpuState& cpu, unsigned size) { return cpu.eflags & eflags::kDF ? 0u - size : size; }

// A string register as the address size uses it: the whole register, or
// its low word (CX, SI, DI) with a 16-bit address size, which wraps alone.
struct AddressSized {
  uint32_t mask;
  explicit AddressSized(const Insn& insn) : mask(insn.info.address_width == 16 ? 0xFFFFu : 0xFFFFFFFFu) {}
  uint32_t get(uint32_t reg) const { return reg & mask; }
  void add(uint32_t& reg, uint32_t delta) const { reg = (reg & ~mask) | ((reg + delta) & mask); }
};

uint16_t port_of(const CpuState& cpu, const ZydisDecodedOperand& op) {
  return op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? static_cast<uint16_t>(op.imm.value.u)
                                                 : static_cast<uint16_t>(cpu.gpr[kEdx]);
}

// A device may have ended the run (isa-debug-exit) or moved the A20 gate:
// leave translated code.
HelperResult after_device(HelperContext& e, const HelperSite& s) {
  if (!e.control.exit_status && !std::exchange(e.leave_block, false)) return HelperResult::kContinue;
  e.cpu.eip = s.insn.next_eip();
  return HelperResult::kExit;
}
}  // namespace

HelperResult helper_in(HelperContext& e, const HelperSite& s) {
  const ZydisDecodedOperand& dst = s.insn.ops[0];
  unsigned size = dst.size / 8;
  uint16_t port = port_of(e.cpu, s.insn.ops[1]);
  if (!io_allowed(e, port, size)) return e.raise(Vector::kGP, 0u);
  write_register(e.cpu, dst.reg.value, e.io.read(port, size));
  return after_device(e, s);
}

HelperResult helper_out(HelperContext& e, const HelperSite& s) {
  const ZydisDecodedOperand& src = s.insn.ops[1];
  uint16_t port = port_of(e.cpu, s.insn.ops[0]);
  if (!io_allowed(e, port, src.size / 8)) return e.raise(Vector::kGP, 0u);
  e.io.write(port, src.size / 8, read_register(e.cpu, src.reg.value));
  return after_device(e, s);
}

HelperResult helper_ins(HelperContext& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  bool rep = s.insn.info.attributes & ZYDIS_ATTRIB_HAS_REP;
  unsigned size = s.insn.info.operand_width / 8;
  auto port = static_cast<uint16_t>(cpu.gpr[kEdx]);
  if (!io_allowed(e, port, size)) return e.raise(Vector::kGP, 0u);
  const AddressSized r(s.insn);
  for (unsigned done = 0; !rep || r.get(cpu.gpr[kEcx]) != 0; ++done) {
    if (done && e.string_loop_must_yield(done)) return HelperResult::kExit;  // goes on from here later
    uint32_t v = e.io.read(port, size);
    if (!e.write_linear(cpu.seg[kEs].base + r.get(cpu.gpr[kEdi]), &v, size)) return HelperResult::kExit;
    r.add(cpu.gpr[kEdi], string_step(cpu, size));
    if (!rep) break;
    r.add(cpu.gpr[kEcx], ~0u);
  }
  return after_device(e, s);
}

HelperResult helper_outs(HelperContext& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  bool rep = s.insn.info.attributes & ZYDIS_ATTRIB_HAS_REP;
  unsigned size = s.insn.info.operand_width / 8;
  auto port = static_cast<uint16_t>(cpu.gpr[kEdx]);
  if (!io_allowed(e, port, size)) return e.raise(Vector::kGP, 0u);
  unsigned seg = kDs;
  for (unsigned i = 0; i < s.insn.info.operand_count; ++i)
    if (s.insn.ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY) seg = static_cast<unsigned>(segment_of(s.insn.ops[i].mem.segment));
  const AddressSized r(s.insn);
  for (unsigned done = 0; !rep || r.get(cpu.gpr[kEcx]) != 0; ++done) {
    if (done && e.string_loop_must_yield(done)) return HelperResult::kExit;  // goes on from here later
    uint32_t v = 0;
    if (!e.read_linear(cpu.seg[seg].base + r.get(cpu.gpr[kEsi]), &v, size)) return HelperResult::kExit;
    e.io.write(port, size, v);
    r.add(cpu.gpr[kEsi], string_step(cpu, size));
    if (!rep) break;
    r.add(cpu.gpr[kEcx], ~0u);
    if (e.control.exit_status) break;
  }
  return after_device(e, s);
}

}  // namespace bt86
