// Helpers for segment registers, descriptor tables, far control transfers
// and interrupts: each takes its operands from the instruction and hands
// them to the segmentation library, which carries the instruction out.
#include "bt86/segmentation/descriptor_tables.h"
#include "bt86/segmentation/far_transfer.h"
#include "bt86/segmentation/fast_system_call.h"
#include "bt86/segmentation/guest_stack.h"
#include "bt86/segmentation/iret.h"
#include "bt86/segmentation/segment_load.h"
#include "bt86/segmentation/user_kernel_switch.h"
#include "bt86/segmentation/v86.h"
#include "emit/emit.h"
#include "runtime/guest_operands.h"
#include "runtime/helpers.h"

namespace bt86 {

namespace {

unsigned operand_bytes(const HelperSite& s) { return s.insn.info.operand_width / 8; }

HelperResult exit_after(HelperContext& e, const HelperSite& s) { return e.exit_to(s.insn.next_eip()); }

// Helpers that change no segment register and raise only by returning
// false: on to the next instruction, or leave to deliver the exception.
HelperResult done(bool ok) { return ok ? HelperResult::kContinue : HelperResult::kExit; }

// Every register's need for checks is part of the block mode, and so are,
// for DS/ES/SS, whether its base is zero (the "flat" bit) and SS.B (16-bit
// stacks). After a segment
// register load the block goes on when neither changed (its code reads
// bases and bounds from the CpuFrame); otherwise the next block is
// re-selected.
struct ModeBefore {
  ModeBefore(const CpuState& cpu, unsigned loaded)
      : seg(loaded), checked(cpu.seg_checked), base(cpu.seg[loaded].base), stack32(cpu.stack32()) {}
  HelperResult after_load(HelperContext& e, const HelperSite& s) const {
    const bool flat_kept = seg == kFs || seg == kGs || (base == 0) == (e.cpu.seg[seg].base == 0);
    if (flat_kept && e.cpu.seg_checked == checked && e.cpu.stack32() == stack32) return HelperResult::kContinue;
    return exit_after(e, s);
  }
  unsigned seg;
  uint32_t checked, base;
  bool stack32;
};

// Reads an r/m16 selector operand.
bool read_selector(HelperContext& e, const HelperSite& s, const ZydisDecodedOperand& op, uint16_t& out) {
  if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
    out = static_cast<uint16_t>(read_register(e.cpu, op.reg.value));
    return true;
  }
  uint32_t linear;
  return operand_linear(e, s.insn, op, 2, false, linear) && e.read_linear(linear, &out, 2);
}

// A far pointer operand m16:16 or m16:32 (offset first, then the selector).
bool read_far_pointer(HelperContext& e, const HelperSite& s, const ZydisDecodedOperand& op, uint16_t& sel,
                      uint32_t& offset) {
  const unsigned width = operand_bytes(s);
  uint32_t addr;
  offset = 0;
  return operand_linear(e, s.insn, op, width + 2, false, addr) && e.read_linear(addr, &offset, width) &&
         e.read_linear(addr + width, &sel, 2);
}

HelperResult far_jmp_or_call(HelperContext& e, const HelperSite& s, bool call) {
  const ZydisDecodedOperand& op = s.insn.ops[0];
  uint16_t sel;
  uint32_t offset;
  if (op.type == ZYDIS_OPERAND_TYPE_POINTER) {
    sel = op.ptr.segment;
    offset = op.ptr.offset;
  } else if (!read_far_pointer(e, s, op, sel, offset)) {
    return HelperResult::kExit;
  }
  far_jump_or_call(e, sel, offset, {call, operand_bytes(s), s.insn.next_eip()});
  return HelperResult::kExit;
}

}  // namespace

HelperResult helper_load_table(HelperContext& e, const HelperSite& s) {  // lgdt, lidt
  uint32_t addr;
  TableRegister& t = s.insn.mnemonic() == ZYDIS_MNEMONIC_LGDT ? e.cpu.gdtr : e.cpu.idtr;
  return done(operand_linear(e, s.insn, s.insn.ops[0], 6, false, addr) &&
              load_table_register(e, t, addr, s.insn.info.operand_width == 16));
}

HelperResult helper_store_table(HelperContext& e, const HelperSite& s) {  // sgdt, sidt
  const TableRegister& t = s.insn.mnemonic() == ZYDIS_MNEMONIC_SGDT ? e.cpu.gdtr : e.cpu.idtr;
  uint32_t addr;
  return done(operand_linear(e, s.insn, s.insn.ops[0], 6, true, addr) && store_table_register(e, t, addr));
}

HelperResult helper_lldt_ltr(HelperContext& e, const HelperSite& s) {
  uint16_t sel;
  if (!read_selector(e, s, s.insn.ops[0], sel)) return HelperResult::kExit;
  return done(s.insn.mnemonic() == ZYDIS_MNEMONIC_LTR ? load_task_register(e, sel) : load_ldt(e, sel));
}

HelperResult helper_sldt_str(HelperContext& e, const HelperSite& s) {
  uint16_t sel = s.insn.mnemonic() == ZYDIS_MNEMONIC_STR ? e.cpu.tr.selector : e.cpu.ldtr.selector;
  const ZydisDecodedOperand& op = s.insn.ops[0];
  if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
    write_register(e.cpu, op.reg.value, sel);
    return HelperResult::kContinue;
  }
  uint32_t addr;
  return done(operand_linear(e, s.insn, op, 2, true, addr) && e.write_linear(addr, &sel, 2));
}

HelperResult helper_mov_to_sreg(HelperContext& e, const HelperSite& s) {
  int seg = segment_of(s.insn.ops[0].reg.value);
  if (seg == kCs || seg < 0) return e.undefined(s.insn);
  uint16_t sel;
  if (!read_selector(e, s, s.insn.ops[1], sel)) return HelperResult::kExit;
  const ModeBefore before(e.cpu, static_cast<unsigned>(seg));
  if (!load_data_segment(e, static_cast<unsigned>(seg), sel)) return HelperResult::kExit;
  return before.after_load(e, s);
}

HelperResult helper_pop_sreg(HelperContext& e, const HelperSite& s) {
  auto seg = static_cast<unsigned>(segment_of(s.insn.ops[0].reg.value));
  const unsigned width = operand_bytes(s);
  uint16_t sel;
  uint32_t addr;
  if (!segment_linear(e, kSs, stack_pointer(e.cpu), width, false, addr) || !e.read_linear(addr, &sel, 2))
    return HelperResult::kExit;
  const ModeBefore before(e.cpu, seg);
  const uint32_t sp = stack_pointer_plus(e.cpu, static_cast<int32_t>(width));  // by the old SS's size
  if (!load_data_segment(e, seg, sel)) return HelperResult::kExit;
  set_stack_pointer(e.cpu, sp);
  return before.after_load(e, s);
}

HelperResult helper_load_far_pointer(HelperContext& e, const HelperSite& s) {  // lds les lfs lgs lss
  static const std::pair<ZydisMnemonic, unsigned> kSeg[] = {{ZYDIS_MNEMONIC_LDS, kDs}, {ZYDIS_MNEMONIC_LES, kEs},
                                                            {ZYDIS_MNEMONIC_LFS, kFs}, {ZYDIS_MNEMONIC_LGS, kGs},
                                                            {ZYDIS_MNEMONIC_LSS, kSs}};
  unsigned seg = kDs;
  for (auto [m, sr] : kSeg)
    if (m == s.insn.mnemonic()) seg = sr;
  uint16_t sel;
  uint32_t offset;
  if (!read_far_pointer(e, s, s.insn.ops[1], sel, offset)) return HelperResult::kExit;
  const ModeBefore before(e.cpu, seg);
  if (!load_data_segment(e, seg, sel)) return HelperResult::kExit;
  write_register(e.cpu, s.insn.ops[0].reg.value, offset);
  return before.after_load(e, s);
}

HelperResult helper_jmp_far(HelperContext& e, const HelperSite& s) { return far_jmp_or_call(e, s, false); }
HelperResult helper_call_far(HelperContext& e, const HelperSite& s) { return far_jmp_or_call(e, s, true); }

HelperResult helper_ret_far(HelperContext& e, const HelperSite& s) {
  uint32_t release = s.insn.visible() ? static_cast<uint32_t>(s.insn.ops[0].imm.value.u & 0xFFFF) : 0;
  far_return(e, operand_bytes(s), release);
  return HelperResult::kExit;
}

HelperResult helper_iret(HelperContext& e, const HelperSite& s) {
  if (!kernel_iret(e, operand_bytes(s))) iret(e, operand_bytes(s), s.insn.next_eip());
  return HelperResult::kExit;
}

HelperResult helper_sysenter(HelperContext& e, const HelperSite&) {
  sysenter(e);
  return HelperResult::kExit;
}

HelperResult helper_sysexit(HelperContext& e, const HelperSite&) {
  sysexit(e);
  return HelperResult::kExit;
}

HelperResult helper_syscall(HelperContext& e, const HelperSite& s) {
  syscall(e, s.insn.next_eip());
  return HelperResult::kExit;
}

HelperResult helper_sysret(HelperContext& e, const HelperSite&) {
  sysret(e);
  return HelperResult::kExit;
}

// A segment check in translated code failed (see check_access).
HelperResult helper_segment_gp(HelperContext& e, const HelperSite&) { return e.raise(Vector::kGP, 0u); }
HelperResult helper_segment_ss(HelperContext& e, const HelperSite&) { return e.raise(Vector::kSS, 0u); }

HelperResult helper_int(HelperContext& e, const HelperSite& s) {
  uint8_t vector;
  switch (s.insn.mnemonic()) {
    case ZYDIS_MNEMONIC_INT3: vector = number(Vector::kBP); break;
    case ZYDIS_MNEMONIC_INT1: return e.raise_software(number(Vector::kDB), s.insn.next_eip(), EventKind::kIcebp);
    case ZYDIS_MNEMONIC_INTO:
      if (!(e.cpu.eflags & eflags::kOF)) return HelperResult::kContinue;
      vector = number(Vector::kOF);
      break;
    default:
      vector = static_cast<uint8_t>(s.insn.ops[0].imm.value.u);
      // int n (not int3, into) is IOPL-sensitive in virtual-8086 mode, and
      // VME may redirect it.
      if (in_v86(e.cpu) && v86_int(e, vector, s.insn.next_eip()) != V86Int::kToIdt) return HelperResult::kExit;
      // Delivered here, not after the helper by the run loop or the
      // continuation: ~50 cycles less per system call (nanobench int80).
      if (user_to_kernel_event(e, Event{vector, std::nullopt, EventKind::kSoftware, s.insn.next_eip()}))
        return HelperResult::kExit;
      break;
  }
  return e.raise_software(vector, s.insn.next_eip());
}

HelperResult helper_lar_lsl(HelperContext& e, const HelperSite& s) {
  uint16_t sel;
  if (!read_selector(e, s, s.insn.ops[1], sel)) return HelperResult::kExit;
  std::optional<uint32_t> v = s.insn.mnemonic() == ZYDIS_MNEMONIC_LSL ? segment_limit_of(e, sel)
                                                                      : access_rights_of(e, sel);
  if (!v) {
    e.cpu.eflags &= ~eflags::kZF;
    return HelperResult::kContinue;
  }
  e.cpu.eflags |= eflags::kZF;
  write_register(e.cpu, s.insn.ops[0].reg.value, *v);
  return HelperResult::kContinue;
}

HelperResult helper_verr_verw(HelperContext& e, const HelperSite& s) {
  uint16_t sel;
  if (!read_selector(e, s, s.insn.ops[0], sel)) return HelperResult::kExit;
  bool ok = segment_verifies(e, sel, s.insn.mnemonic() == ZYDIS_MNEMONIC_VERW);
  e.cpu.eflags = ok ? e.cpu.eflags | eflags::kZF : e.cpu.eflags & ~eflags::kZF;
  return HelperResult::kContinue;
}

}  // namespace bt86
