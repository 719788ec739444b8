// Port I/O helpers: in/out and the string forms, through the I/O bus.
#include "emit.h"
#include "engine.h"
#include "guest_operands.h"
#include "helpers.h"

namespace bt86 {

namespace {
// I/O is allowed at CPL <= IOPL; the TSS permission bitmap comes with the
// segmentation work.
bool io_allowed(const CpuState& cpu) { return cpu.cpl() <= ((cpu.eflags & eflags::kIOPL) >> 12); }

uint16_t port_of(const CpuState& cpu, const ZydisDecodedOperand& op) {
  return op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? static_cast<uint16_t>(op.imm.value.u)
                                                 : static_cast<uint16_t>(cpu.gpr[kEdx]);
}

// A device may have ended the run (isa-debug-exit): leave translated code.
HelperResult after_device(Engine& e, const HelperSite& s) {
  if (!e.control.exit_status) return HelperResult::kContinue;
  e.cpu.eip = s.insn.next_eip();
  return HelperResult::kExit;
}
}  // namespace

HelperResult helper_in(Engine& e, const HelperSite& s) {
  if (!io_allowed(e.cpu)) return e.raise(13, 0u);
  const ZydisDecodedOperand& dst = s.insn.ops[0];
  unsigned size = dst.size / 8;
  write_register(e.cpu, dst.reg.value, e.io.read(port_of(e.cpu, s.insn.ops[1]), size));
  return after_device(e, s);
}

HelperResult helper_out(Engine& e, const HelperSite& s) {
  if (!io_allowed(e.cpu)) return e.raise(13, 0u);
  const ZydisDecodedOperand& src = s.insn.ops[1];
  e.io.write(port_of(e.cpu, s.insn.ops[0]), src.size / 8, read_register(e.cpu, src.reg.value));
  return after_device(e, s);
}

HelperResult helper_ins(Engine& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  if (!io_allowed(cpu)) return e.raise(13, 0u);
  bool rep = s.insn.info.attributes & ZYDIS_ATTRIB_HAS_REP;
  unsigned size = s.insn.info.operand_width / 8;
  auto port = static_cast<uint16_t>(cpu.gpr[kEdx]);
  while (!rep || cpu.gpr[kEcx] != 0) {
    uint32_t v = e.io.read(port, size);
    if (!e.write_linear(cpu.seg[kEs].base + cpu.gpr[kEdi], &v, size)) return HelperResult::kExit;
    cpu.gpr[kEdi] += static_cast<uint32_t>(cpu.string_stride * static_cast<int32_t>(size));
    if (!rep) break;
    --cpu.gpr[kEcx];
  }
  return after_device(e, s);
}

HelperResult helper_outs(Engine& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  if (!io_allowed(cpu)) return e.raise(13, 0u);
  bool rep = s.insn.info.attributes & ZYDIS_ATTRIB_HAS_REP;
  unsigned size = s.insn.info.operand_width / 8;
  auto port = static_cast<uint16_t>(cpu.gpr[kEdx]);
  unsigned seg = kDs;
  for (unsigned i = 0; i < s.insn.info.operand_count; ++i)
    if (s.insn.ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY) seg = static_cast<unsigned>(segment_of(s.insn.ops[i].mem.segment));
  while (!rep || cpu.gpr[kEcx] != 0) {
    uint32_t v = 0;
    if (!e.read_linear(cpu.seg[seg].base + cpu.gpr[kEsi], &v, size)) return HelperResult::kExit;
    e.io.write(port, size, v);
    cpu.gpr[kEsi] += static_cast<uint32_t>(cpu.string_stride * static_cast<int32_t>(size));
    if (!rep) break;
    --cpu.gpr[kEcx];
    if (e.control.exit_status) break;
  }
  return after_device(e, s);
}

}  // namespace bt86
