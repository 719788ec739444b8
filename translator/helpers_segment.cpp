// Helpers for descriptor tables, segment registers and far control
// transfers (same privilege level, and returns to outer levels).
#include <algorithm>

#include <fmt/format.h>

#include "emit.h"
#include "bt86/segmentation/msrs.h"
#include "engine.h"
#include "guest_operands.h"
#include "helpers.h"
#include "segments.h"
#include "task_switch.h"

namespace bt86 {

namespace {
bool ring0(const CpuState& cpu) { return cpu.cpl() == 0; }

HelperResult exit_after(Engine& e, const HelperSite& s) {
  e.cpu.eip = s.insn.next_eip();
  return HelperResult::kExit;
}

// After loading segment register seg: every register's need for checks is
// part of the block mode, and so is, for DS/ES/SS, whether its base is zero
// (the "flat" bit). The block goes on when neither changed (its code reads
// bases and bounds from CpuState); otherwise the next block is re-selected.
HelperResult after_load(Engine& e, const HelperSite& s, unsigned seg, uint32_t checked_before,
                        uint32_t base_before) {
  const bool flat_kept = seg == kFs || seg == kGs || (base_before == 0) == (e.cpu.seg[seg].base == 0);
  if (flat_kept && e.cpu.seg_checked == checked_before) return HelperResult::kContinue;
  return exit_after(e, s);
}

// The linear address of `size` bytes of memory operand i, segment-checked;
// false after raising.
bool mem_linear(Engine& e, const HelperSite& s, unsigned i, unsigned size, bool write, uint32_t& out) {
  return operand_linear(e, s.insn, s.insn.ops[i], size, write, out);
}

// Reads an r/m16 selector operand.
bool read_selector(Engine& e, const HelperSite& s, const ZydisDecodedOperand& op, uint16_t& out) {
  if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
    out = static_cast<uint16_t>(read_register(e.cpu, op.reg.value));
    return true;
  }
  uint32_t linear;
  return operand_linear(e, s.insn, op, 2, false, linear) && e.read_linear(linear, &out, 2);
}
}  // namespace

HelperResult helper_load_table(Engine& e, const HelperSite& s) {  // lgdt, lidt
  if (!ring0(e.cpu)) return e.raise(13, 0u);
  uint32_t addr;
  uint16_t limit;
  uint32_t base;
  if (!mem_linear(e, s, 0, 6, false, addr) || !e.read_linear(addr, &limit, 2) || !e.read_linear(addr + 2, &base, 4)) return HelperResult::kExit;
  if (s.insn.info.operand_width == 16) base &= 0xFFFFFF;
  TableRegister& t = s.insn.mnemonic() == ZYDIS_MNEMONIC_LGDT ? e.cpu.gdtr : e.cpu.idtr;
  t = {base, limit};
  return HelperResult::kContinue;
}

HelperResult helper_store_table(Engine& e, const HelperSite& s) {  // sgdt, sidt: the guest's own values
  const TableRegister& t = s.insn.mnemonic() == ZYDIS_MNEMONIC_SGDT ? e.cpu.gdtr : e.cpu.idtr;
  uint32_t addr;
  return mem_linear(e, s, 0, 6, true, addr) && e.write_linear(addr, &t.limit, 2) && e.write_linear(addr + 2, &t.base, 4) ? HelperResult::kContinue
                                                                                     : HelperResult::kExit;
}

HelperResult helper_lldt_ltr(Engine& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  if (!ring0(cpu)) return e.raise(13, 0u);
  uint16_t sel;
  if (!read_selector(e, s, s.insn.ops[0], sel)) return HelperResult::kExit;
  bool ltr = s.insn.mnemonic() == ZYDIS_MNEMONIC_LTR;
  if ((sel & ~3u) == 0) {
    if (ltr) return e.raise(13, 0u);
    cpu.ldtr = SegmentCache{sel, 0, 0, 0};
    return HelperResult::kContinue;
  }
  if (sel & 4) return e.raise(13, sel & ~3u);  // must come from the GDT
  Descriptor d;
  if (!read_descriptor(e, sel, d)) return HelperResult::kExit;
  unsigned want = ltr ? 0x09 : 0x02;  // available 32-bit TSS, LDT
  if (!d.system() || d.type() != want) return e.raise(13, sel & ~3u);
  if (!d.present()) return e.raise(11, sel & ~3u);
  SegmentCache cache{sel, d.access(), d.base(), d.limit()};
  if (ltr) {
    d.hi |= 0x200;  // mark the TSS busy in the GDT
    e.write_linear(cpu.gdtr.base + (sel & ~7u) + 4, &d.hi, 4, Engine::Privilege::kSupervisor);
    cache.access |= 0x2;
    cpu.tr = cache;
  } else {
    cpu.ldtr = cache;
  }
  return HelperResult::kContinue;
}

HelperResult helper_sldt_str(Engine& e, const HelperSite& s) {
  uint16_t sel = s.insn.mnemonic() == ZYDIS_MNEMONIC_STR ? e.cpu.tr.selector : e.cpu.ldtr.selector;
  const ZydisDecodedOperand& op = s.insn.ops[0];
  if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
    write_register(e.cpu, op.reg.value, sel);
    return HelperResult::kContinue;
  }
  uint32_t addr;
  return mem_linear(e, s, 0, 2, true, addr) && e.write_linear(addr, &sel, 2) ? HelperResult::kContinue
                                                                             : HelperResult::kExit;
}

HelperResult helper_mov_to_sreg(Engine& e, const HelperSite& s) {
  int seg = segment_of(s.insn.ops[0].reg.value);
  if (seg == kCs || seg < 0) return e.undefined(s.insn);
  uint16_t sel;
  if (!read_selector(e, s, s.insn.ops[1], sel)) return HelperResult::kExit;
  const uint32_t checked = e.cpu.seg_checked;
  const uint32_t base = e.cpu.seg[static_cast<unsigned>(seg)].base;
  if (load_data_segment(e, static_cast<unsigned>(seg), sel) == HelperResult::kExit) return HelperResult::kExit;
  return after_load(e, s, static_cast<unsigned>(seg), checked, base);
}

HelperResult helper_pop_sreg(Engine& e, const HelperSite& s) {
  int seg = segment_of(s.insn.ops[0].reg.value);
  unsigned width = s.insn.info.operand_width / 8;
  uint16_t sel;
  uint32_t addr;
  if (!segment_linear(e, kSs, e.cpu.gpr[kEsp], width, false, addr) || !e.read_linear(addr, &sel, 2))
    return HelperResult::kExit;
  const uint32_t checked = e.cpu.seg_checked;
  const uint32_t base = e.cpu.seg[static_cast<unsigned>(seg)].base;
  if (load_data_segment(e, static_cast<unsigned>(seg), sel) == HelperResult::kExit) return HelperResult::kExit;
  e.cpu.gpr[kEsp] += width;
  return after_load(e, s, static_cast<unsigned>(seg), checked, base);
}

HelperResult helper_load_far_pointer(Engine& e, const HelperSite& s) {  // lds les lfs lgs lss
  static const std::pair<ZydisMnemonic, unsigned> kSeg[] = {{ZYDIS_MNEMONIC_LDS, kDs}, {ZYDIS_MNEMONIC_LES, kEs},
                                                            {ZYDIS_MNEMONIC_LFS, kFs}, {ZYDIS_MNEMONIC_LGS, kGs},
                                                            {ZYDIS_MNEMONIC_LSS, kSs}};
  unsigned seg = kDs;
  for (auto [m, sr] : kSeg)
    if (m == s.insn.mnemonic()) seg = sr;
  unsigned width = s.insn.info.operand_width / 8;
  uint32_t addr;
  uint32_t offset = 0;
  uint16_t sel;
  if (!mem_linear(e, s, 1, width + 2, false, addr) || !e.read_linear(addr, &offset, width) || !e.read_linear(addr + width, &sel, 2)) return HelperResult::kExit;
  const uint32_t checked = e.cpu.seg_checked;
  const uint32_t base = e.cpu.seg[seg].base;
  if (load_data_segment(e, seg, sel) == HelperResult::kExit) return HelperResult::kExit;
  write_register(e.cpu, s.insn.ops[0].reg.value, offset);
  return after_load(e, s, seg, checked, base);
}

namespace {
// The selector:offset target of a far jmp/call (ptr16:32 or m16:32).
bool far_target(Engine& e, const HelperSite& s, uint16_t& sel, uint32_t& offset) {
  const ZydisDecodedOperand& op = s.insn.ops[0];
  if (op.type == ZYDIS_OPERAND_TYPE_POINTER) {
    sel = op.ptr.segment;
    offset = op.ptr.offset;
    return true;
  }
  unsigned width = s.insn.info.operand_width / 8;
  uint32_t addr;
  offset = 0;
  return mem_linear(e, s, 0, width + 2, false, addr) && e.read_linear(addr, &offset, width) && e.read_linear(addr + width, &sel, 2);
}
}  // namespace

namespace {
// A far call through a call gate to a more privileged, non-conforming code
// segment: switch to the TSS stack of the target level, copy the gate's
// parameters, push the old SS:ESP and CS:EIP (SDM "CALL", call gates).
bool call_to_inner(Engine& e, const Descriptor& gate, const Descriptor& code, uint16_t code_sel, uint32_t offset,
                   uint32_t return_eip) {
  CpuState& cpu = e.cpu;
  unsigned new_cpl = code.dpl();
  uint16_t ss;
  uint32_t esp;
  if (!tss_stack(e, new_cpl, ss, esp)) return false;
  Descriptor sd;
  if ((ss & ~3u) == 0 || !peek_descriptor(e, ss, sd) || sd.system() || sd.code() || !(sd.type() & 2) ||
      (ss & 3) != new_cpl || sd.dpl() != new_cpl)
    return e.raise(10, ss & ~3u), false;
  if (!sd.present()) return e.raise(12, ss & ~3u), false;
  if (offset > code.limit()) return e.raise(13, 0u), false;
  unsigned params = gate.hi & 0x1F;
  uint32_t copied[31];
  const SegmentCache old_ss = cpu.seg[kSs], old_cs = cpu.seg[kCs];
  const uint32_t old_esp = cpu.gpr[kEsp];
  for (unsigned i = 0; i < params; ++i)
    if (!e.read_linear(old_ss.base + old_esp + 4 * i, &copied[i], 4)) return false;
  cpu.seg[kSs] = SegmentCache{ss, sd.access(), sd.base(), sd.limit()};
  cpu.gpr[kEsp] = esp;
  cpu.seg[kCs] = SegmentCache{static_cast<uint16_t>((code_sel & ~3u) | new_cpl), code.access(), code.base(), code.limit()};
  bool ok = push32(e, old_ss.selector) && push32(e, old_esp);
  for (unsigned i = params; ok && i-- > 0;) ok = push32(e, copied[i]);
  ok = ok && push32(e, old_cs.selector) && push32(e, return_eip);
  if (!ok) {
    cpu.seg[kSs] = old_ss, cpu.seg[kCs] = old_cs, cpu.gpr[kEsp] = old_esp;
    return false;
  }
  cpu.eip = offset;
  e.state_changed();
  return true;
}

// jmp/call far: to a code segment, through a call gate, or to a task.
HelperResult far_jmp_or_call(Engine& e, const HelperSite& s, bool call) {
  CpuState& cpu = e.cpu;
  uint16_t sel;
  uint32_t offset;
  if (!far_target(e, s, sel, offset)) return HelperResult::kExit;
  const uint32_t return_eip = s.insn.next_eip();
  Descriptor d;
  if ((sel & ~3u) == 0) return e.raise(13, 0u);
  if (!read_descriptor(e, sel, d)) return HelperResult::kExit;
  const unsigned cpl = cpu.cpl(), rpl = sel & 3;
  if (d.system()) {
    if (d.type() == 0x09 || d.type() == 0x01 || d.type() == 0x05) {  // TSS (32- or 16-bit) or task gate
      if (d.dpl() < std::max(cpl, rpl)) return e.raise(13, sel & ~3u);
      if (!d.present()) return e.raise(11, sel & ~3u);
      uint16_t tss = d.type() == 0x05 ? static_cast<uint16_t>(d.lo >> 16) : sel;
      cpu.eip = return_eip;
      if (!task_switch(e, tss, call ? TaskSwitchReason::kCall : TaskSwitchReason::kJmp)) cpu.eip = s.insn.eip;
      return HelperResult::kExit;
    }
    if (d.type() == 0x04)  // valid, but not run yet: the run ends (status 2) saying so
      return e.die(fmt::format("'{}' at EIP={:#010x} through a 16-bit call gate ({:#06x}) is not supported yet",
                               s.insn.text(), s.insn.eip, sel));
    if (d.type() != 0x0C) return e.raise(13, sel & ~3u);
    if (d.dpl() < std::max(cpl, rpl)) return e.raise(13, sel & ~3u);
    if (!d.present()) return e.raise(11, sel & ~3u);
    auto code_sel = static_cast<uint16_t>(d.lo >> 16);
    uint32_t target = (d.lo & 0xFFFF) | (d.hi & 0xFFFF0000);
    Descriptor code;
    if ((code_sel & ~3u) == 0) return e.raise(13, 0u);
    if (!read_descriptor(e, code_sel, code)) return HelperResult::kExit;
    bool conforming = code.type() & 4;
    if (!code.code() || code.dpl() > cpl || (!call && !conforming && code.dpl() != cpl))
      return e.raise(13, code_sel & ~3u);
    if (!code.present()) return e.raise(11, code_sel & ~3u);
    if (call && !conforming && code.dpl() < cpl) {
      call_to_inner(e, d, code, code_sel, target, return_eip);
      return HelperResult::kExit;
    }
    sel = static_cast<uint16_t>((code_sel & ~3u) | cpl);
    offset = target;
  } else if (d.code()) {
    bool conforming = d.type() & 4;
    if (conforming ? d.dpl() > cpl : (rpl > cpl || d.dpl() != cpl)) return e.raise(13, sel & ~3u);
  } else {
    return e.raise(13, sel & ~3u);
  }
  // A call pushes CS:EIP (CS:IP with a 16-bit operand size) before CS
  // changes, so a fault on the stack leaves the old CS in place.
  const uint32_t esp = cpu.gpr[kEsp];
  const unsigned width = s.insn.info.operand_width / 8;
  if (call && (!push_sized(e, width, cpu.seg[kCs].selector) || !push_sized(e, width, return_eip)))
    return cpu.gpr[kEsp] = esp, HelperResult::kExit;
  if (!far_transfer(e, sel, offset)) cpu.gpr[kEsp] = esp;
  return HelperResult::kExit;
}
}  // namespace

HelperResult helper_jmp_far(Engine& e, const HelperSite& s) { return far_jmp_or_call(e, s, false); }
HelperResult helper_call_far(Engine& e, const HelperSite& s) { return far_jmp_or_call(e, s, true); }

namespace {
// After a far return or iret to an outer level: load SS:ESP popped from the
// inner stack, and null the data segments the new CPL may not use. A 16-bit
// SP popped into a 16-bit stack segment keeps ESP's upper half.
HelperResult load_outer_stack(Engine& e, uint32_t esp, uint16_t ss, unsigned width) {
  if (load_data_segment(e, kSs, ss) == HelperResult::kExit) return HelperResult::kExit;
  const bool stack32 = e.cpu.seg[kSs].access & 0x4000;
  e.cpu.gpr[kEsp] = width == 2 && !stack32 ? (e.cpu.gpr[kEsp] & 0xFFFF0000) | (esp & 0xFFFF) : esp;
  for (unsigned seg : {kEs, kDs, kFs, kGs}) {
    const SegmentCache& c = e.cpu.seg[seg];
    bool conforming_code = (c.access & 0x1C) == 0x1C;
    if ((c.selector & ~3u) && !conforming_code && ((c.access >> 5) & 3) < e.cpu.cpl()) e.cpu.seg[seg] = SegmentCache{};
  }
  e.state_changed();
  return HelperResult::kExit;
}
}  // namespace

// Far return: pops EIP and CS (IP and CS with a 16-bit operand size), and
// SS:ESP too on a return to an outer level.
HelperResult helper_ret_far(Engine& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  const unsigned old_cpl = cpu.cpl(), width = s.insn.info.operand_width / 8;
  const uint32_t start_esp = cpu.gpr[kEsp];
  uint32_t eip, cs, esp = 0, ss = 0;
  uint32_t release = s.insn.visible() ? static_cast<uint32_t>(s.insn.ops[0].imm.value.u & 0xFFFF) : 0;
  if (!pop(e, width, eip) || !pop(e, width, cs)) return HelperResult::kExit;
  bool outer = (cs & 3) > old_cpl;
  if (outer) {
    cpu.gpr[kEsp] += release;
    if (!pop(e, width, esp) || !pop(e, width, ss)) return cpu.gpr[kEsp] = start_esp, HelperResult::kExit;
  }
  if ((cs & 3) < old_cpl) return cpu.gpr[kEsp] = start_esp, e.raise(13, cs & ~3u);
  if (!far_transfer(e, static_cast<uint16_t>(cs), eip)) return cpu.gpr[kEsp] = start_esp, HelperResult::kExit;
  if (!outer) {
    cpu.gpr[kEsp] += release;
    return HelperResult::kExit;
  }
  return load_outer_stack(e, esp + release, static_cast<uint16_t>(ss), width);
}

namespace {
// The EFLAGS bits an iret loads from its image (SDM vol. 2, IRET): the
// arithmetic flags, TF, DF, NT; RF, AC and ID with a 32-bit operand size; IF
// where CPL <= IOPL; IOPL, and with 32 bits VIF and VIP, at CPL 0. (VM at
// CPL 0 means a return to virtual-8086 mode; elsewhere it is ignored.)
uint32_t iret_loads(unsigned cpl, unsigned iopl, bool op32) {
  uint32_t load = eflags::kHostLive | eflags::kTF | eflags::kNT;
  if (op32) load |= eflags::kRF | eflags::kAC | eflags::kID;
  if (cpl <= iopl) load |= eflags::kIF;
  if (cpl == 0) load |= eflags::kIOPL | (op32 ? eflags::kVIF | eflags::kVIP : 0);
  return load;
}
}  // namespace

HelperResult helper_iret(Engine& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  cpu.nmi_blocked = false;  // an NMI handler's iret lets the next NMI in (even one that faults, SDM 6.7.1)
  if (cpu.eflags & eflags::kNT) {  // return to the task in the back link
    uint16_t link;
    if (!e.read_linear(cpu.tr.base, &link, 2, Engine::Privilege::kSupervisor)) return HelperResult::kExit;
    cpu.eip = s.insn.next_eip();
    if (!task_switch(e, link, TaskSwitchReason::kIret)) cpu.eip = s.insn.eip;  // faults report the iret
    return HelperResult::kExit;
  }
  const unsigned old_cpl = cpu.cpl(), width = s.insn.info.operand_width / 8;
  const uint32_t start_esp = cpu.gpr[kEsp];
  uint32_t eip, cs, flags, esp = 0, ss = 0;
  if (!pop(e, width, eip) || !pop(e, width, cs) || !pop(e, width, flags))
    return cpu.gpr[kEsp] = start_esp, HelperResult::kExit;
  if ((flags & eflags::kVM) && width == 4 && old_cpl == 0)
    return e.die(fmt::format("iret to virtual-8086 mode ('{}' at EIP={:#010x}) is not supported yet", s.insn.text(),
                             s.insn.eip));
  bool outer = (cs & 3) > old_cpl;
  // Everything is popped at the old privilege, before CS changes.
  if (outer && (!pop(e, width, esp) || !pop(e, width, ss))) return cpu.gpr[kEsp] = start_esp, HelperResult::kExit;
  if ((cs & 3) < old_cpl) return cpu.gpr[kEsp] = start_esp, e.raise(13, cs & ~3u);
  const uint32_t load = iret_loads(old_cpl, (cpu.eflags & eflags::kIOPL) >> 12, width == 4);
  const uint32_t old_flags = cpu.eflags;
  if (!far_transfer(e, static_cast<uint16_t>(cs), eip)) return cpu.gpr[kEsp] = start_esp, HelperResult::kExit;
  e.set_eflags((old_flags & ~load) | (flags & load));
  if (outer) return load_outer_stack(e, esp, static_cast<uint16_t>(ss), width);
  return HelperResult::kExit;
}

// sysenter/sysexit load fixed flat segments derived from IA32_SYSENTER_CS
// without reading descriptors (SDM: SYSENTER, SYSEXIT).
namespace {
SegmentCache flat_segment(uint16_t selector, unsigned dpl, bool code) {
  SegmentCache c;
  load_flat(c, selector, code);
  c.access = static_cast<uint16_t>((c.access & ~0x60u) | dpl << 5 | 0x1);  // and accessed
  return c;
}
}  // namespace

HelperResult helper_sysenter(Engine& e, const HelperSite&) {
  CpuState& cpu = e.cpu;
  auto cs = static_cast<uint16_t>(cpu.msr_sysenter[0] & 0xFFFC);
  if (!cpu.protected_mode() || cs == 0) return e.raise(13, 0u);
  e.set_eflags(cpu.eflags & ~(eflags::kVM | eflags::kIF | eflags::kRF));
  cpu.seg[kCs] = flat_segment(cs, 0, true);
  cpu.seg[kSs] = flat_segment(static_cast<uint16_t>(cs + 8), 0, false);
  cpu.gpr[kEsp] = static_cast<uint32_t>(cpu.msr_sysenter[1]);
  cpu.eip = static_cast<uint32_t>(cpu.msr_sysenter[2]);
  e.state_changed();
  return HelperResult::kExit;
}

HelperResult helper_sysexit(Engine& e, const HelperSite&) {
  CpuState& cpu = e.cpu;
  auto cs = static_cast<uint16_t>(cpu.msr_sysenter[0] & 0xFFFC);
  if (!cpu.protected_mode() || cpu.cpl() != 0 || cs == 0) return e.raise(13, 0u);
  cpu.seg[kCs] = flat_segment(static_cast<uint16_t>((cs + 16) | 3), 3, true);
  cpu.seg[kSs] = flat_segment(static_cast<uint16_t>((cs + 24) | 3), 3, false);
  cpu.gpr[kEsp] = cpu.gpr[kEcx];
  cpu.eip = cpu.gpr[kEdx];
  e.state_changed();
  return HelperResult::kExit;
}

// syscall/sysret outside long mode, as AMD's family-6 CPUs define them
// (AMD64 APM vol. 3): flat CS/SS from STAR[47:32] on the way in, EIP from
// STAR[31:0] and the return address in ECX; on the way out CS from
// STAR[63:48] at RPL 3 and SS's selector after it, SS's base, limit and
// attributes left as they were.
HelperResult helper_syscall(Engine& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  if (!(cpu.efer & msr::kEferSce)) return e.undefined(s.insn);
  auto cs = static_cast<uint16_t>(cpu.msr_star >> 32);
  cpu.gpr[kEcx] = s.insn.next_eip();
  e.set_eflags(cpu.eflags & ~(eflags::kVM | eflags::kIF | eflags::kRF));
  cpu.seg[kCs] = flat_segment(static_cast<uint16_t>(cs & 0xFFFC), 0, true);
  cpu.seg[kSs] = flat_segment(static_cast<uint16_t>(cs + 8), 0, false);
  cpu.eip = static_cast<uint32_t>(cpu.msr_star);
  e.state_changed();
  return HelperResult::kExit;
}

HelperResult helper_sysret(Engine& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  if (!(cpu.efer & msr::kEferSce)) return e.undefined(s.insn);
  if (!cpu.protected_mode() || cpu.cpl() != 0) return e.raise(13, 0u);
  auto cs = static_cast<uint16_t>(cpu.msr_star >> 48);
  cpu.seg[kCs] = flat_segment(static_cast<uint16_t>(cs | 3), 3, true);
  cpu.seg[kSs].selector = static_cast<uint16_t>((cs + 8) | 3);
  cpu.eip = cpu.gpr[kEcx];
  e.set_eflags(cpu.eflags | eflags::kIF);
  e.state_changed();
  return HelperResult::kExit;
}

// A segment check in translated code failed (see check_access).
HelperResult helper_segment_gp(Engine& e, const HelperSite&) { return e.raise(13, 0u); }
HelperResult helper_segment_ss(Engine& e, const HelperSite&) { return e.raise(12, 0u); }

HelperResult helper_int(Engine& e, const HelperSite& s) {
  uint8_t vector;
  switch (s.insn.mnemonic()) {
    case ZYDIS_MNEMONIC_INT3: vector = 3; break;
    case ZYDIS_MNEMONIC_INT1: return e.raise_software(1, s.insn.next_eip(), EventKind::kIcebp);
    case ZYDIS_MNEMONIC_INTO:
      if (!(e.cpu.eflags & eflags::kOF)) return HelperResult::kContinue;
      vector = 4;
      break;
    default: vector = static_cast<uint8_t>(s.insn.ops[0].imm.value.u); break;
  }
  return e.raise_software(vector, s.insn.next_eip());
}

HelperResult helper_lar_lsl(Engine& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  uint16_t sel;
  if (!read_selector(e, s, s.insn.ops[1], sel)) return HelperResult::kExit;
  Descriptor d;
  bool ok = peek_descriptor(e, sel, d);
  bool lsl = s.insn.mnemonic() == ZYDIS_MNEMONIC_LSL;
  if (ok && d.system()) {
    static const bool lar_ok[16] = {0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0};
    static const bool lsl_ok[16] = {0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0};
    ok = (lsl ? lsl_ok : lar_ok)[d.type() & 0xF];
  }
  bool conforming = d.code() && (d.type() & 4);
  if (ok && !conforming) ok = d.dpl() >= std::max<unsigned>(cpu.cpl(), sel & 3);
  if (!ok) {
    cpu.eflags &= ~eflags::kZF;
    return HelperResult::kContinue;
  }
  cpu.eflags |= eflags::kZF;
  write_register(cpu, s.insn.ops[0].reg.value, lsl ? d.limit() : d.hi & 0x00FFFF00);
  return HelperResult::kContinue;
}

HelperResult helper_verr_verw(Engine& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  uint16_t sel;
  if (!read_selector(e, s, s.insn.ops[0], sel)) return HelperResult::kExit;
  Descriptor d;
  bool ok = peek_descriptor(e, sel, d) && !d.system();
  bool conforming = d.code() && (d.type() & 4);
  if (ok && !conforming) ok = d.dpl() >= std::max<unsigned>(cpu.cpl(), sel & 3);
  if (ok) ok = s.insn.mnemonic() == ZYDIS_MNEMONIC_VERW ? !d.code() && (d.type() & 2) : !d.code() || (d.type() & 2);
  cpu.eflags = ok ? cpu.eflags | eflags::kZF : cpu.eflags & ~eflags::kZF;
  return HelperResult::kContinue;
}

}  // namespace bt86
