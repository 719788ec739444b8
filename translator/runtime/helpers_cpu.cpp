// Helpers for CPU control: interrupt flag, halt, CPUID, TSC, MSRs, flags
// images, control and debug registers.
#include <x86intrin.h>

#include <cstring>
#include <fmt/format.h>
#include <utility>

#include "bt86/devices/local_apic.h"
#include "bt86/segmentation/cpuid.h"
#include "bt86/segmentation/guest_stack.h"
#include "bt86/segmentation/v86.h"
#include "bt86/segmentation/msrs.h"
#include "bt86/segmentation/privilege.h"
#include "bt86/segmentation/segment_load.h"
#include "emit/emit.h"
#include "runtime/guest_operands.h"
#include "runtime/helpers.h"

namespace bt86 {

namespace {
HelperResult exit_after(HelperContext& e, const HelperSite& s) { return e.exit_to(s.insn.next_eip()); }

// CR4 bits this CPU has: VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT.
constexpr uint32_t kCr4Supported = 0x7FF;

// Whether writing v to CRn loads the PAE PDPTEs (SDM vol. 3, 4.4.1): with
// PAE paging on afterwards, a MOV to CR3, to CR0 changing PG, CD or NW, or
// to CR4 changing PAE, PGE or PSE.
bool loads_pdptes(const CpuState& cpu, unsigned n, uint32_t v) {
  uint32_t cr0 = n == 0 ? v : cpu.cr0, cr4 = n == 4 ? v : cpu.cr4;
  if (!(cr0 & cr0::kPG) || !(cr4 & cr4::kPAE)) return false;
  return n == 3 || (n == 0 && ((cpu.cr0 ^ v) & (cr0::kPG | cr0::kCD | cr0::kNW))) ||
         (n == 4 && ((cpu.cr4 ^ v) & (cr4::kPAE | cr4::kPGE | cr4::kPSE)));
}

}  // namespace

HelperResult helper_cli(HelperContext& e, const HelperSite&) {
  if (!iopl_allows(e.cpu)) return virtual_interrupt_flag(e, false) ? HelperResult::kContinue : HelperResult::kExit;
  e.cpu.eflags &= ~eflags::kIF;
  return HelperResult::kContinue;
}

HelperResult helper_sti(HelperContext& e, const HelperSite&) {
  if (!iopl_allows(e.cpu)) return virtual_interrupt_flag(e, true) ? HelperResult::kContinue : HelperResult::kExit;
  e.cpu.eflags |= eflags::kIF;
  return HelperResult::kContinue;
}

HelperResult helper_hlt(HelperContext& e, const HelperSite& s) {
  e.cpu.halted = true;
  return exit_after(e, s);
}

HelperResult helper_cpuid(HelperContext& e, const HelperSite&) {
  uint32_t* r = e.cpu.gpr;
  const LocalApic* apic = e.local_apic();
  CpuidLeaf leaf = current_cpuid(e.cpu, apic && apic->hardware_enabled(), r[kEax], r[kEcx]);
  r[kEax] = leaf.eax, r[kEbx] = leaf.ebx, r[kEcx] = leaf.ecx, r[kEdx] = leaf.edx;
  return HelperResult::kContinue;
}

HelperResult helper_rdtsc(HelperContext& e, const HelperSite&) {
  if ((e.cpu.cr4 & cr4::kTSD) && e.cpu.cpl() != 0) return e.raise(Vector::kGP, 0u);
  uint64_t tsc = __rdtsc() + e.cpu.tsc_offset;
  e.cpu.gpr[kEax] = static_cast<uint32_t>(tsc);
  e.cpu.gpr[kEdx] = static_cast<uint32_t>(tsc >> 32);
  return HelperResult::kContinue;
}

HelperResult helper_rdpmc(HelperContext& e, const HelperSite&) {
  if (e.cpu.cpl() != 0 && !(e.cpu.cr4 & cr4::kPCE)) return e.raise(Vector::kGP, 0u);
  std::optional<uint64_t> v = read_pmc(e.cpu, e.cpu.gpr[kEcx]);
  if (!v) return e.raise(Vector::kGP, 0u);
  e.cpu.gpr[kEax] = static_cast<uint32_t>(*v);
  e.cpu.gpr[kEdx] = static_cast<uint32_t>(*v >> 32);
  return HelperResult::kContinue;
}

HelperResult helper_rdmsr(HelperContext& e, const HelperSite&) {
  std::optional<uint64_t> v = read_msr({e.cpu, e.local_apic(), __rdtsc()}, e.cpu.gpr[kEcx]);
  if (!v) return e.raise(Vector::kGP, 0u);
  e.cpu.gpr[kEax] = static_cast<uint32_t>(*v);
  e.cpu.gpr[kEdx] = static_cast<uint32_t>(*v >> 32);
  return HelperResult::kContinue;
}

HelperResult helper_wrmsr(HelperContext& e, const HelperSite& s) {
  const uint32_t index = e.cpu.gpr[kEcx];
  const uint64_t efer = e.cpu.efer;
  if (!write_msr({e.cpu, e.local_apic(), __rdtsc()}, index, uint64_t{e.cpu.gpr[kEdx]} << 32 | e.cpu.gpr[kEax]))
    return e.raise(Vector::kGP, 0u);
  if (e.cpu.efer != efer) e.paging_changed(false);
  // A write to IA32_APIC_BASE may move or remove the APIC's page: leave the
  // block (the run loop looks at interrupts anyway).
  return index == msr::kApicBase ? exit_after(e, s) : HelperResult::kContinue;
}

HelperResult helper_pushf(HelperContext& e, const HelperSite& s) {
  if (v86_iopl_faults(e.cpu))  // the monitor's, or VME's virtual IF
    return v86_pushf(e, s.insn.info.operand_width / 8) ? HelperResult::kContinue : HelperResult::kExit;
  uint32_t image = pushf_image(e.cpu.eflags);
  bool ok = s.insn.info.operand_width == 16 ? push16(e, static_cast<uint16_t>(image)) : push32(e, image);
  return ok ? HelperResult::kContinue : HelperResult::kExit;
}

HelperResult helper_popf(HelperContext& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  if (v86_iopl_faults(cpu))
    return v86_popf(e, s.insn.info.operand_width / 8) ? HelperResult::kContinue : HelperResult::kExit;
  uint32_t v;
  if (s.insn.info.operand_width == 16) {
    uint32_t w;
    if (!pop(e, 2, w)) return HelperResult::kExit;
    v = (cpu.eflags & 0xFFFF0000) | w;
  } else if (!pop32(e, v)) {
    return HelperResult::kExit;
  }
  uint32_t before = cpu.eflags;
  set_eflags(e, popf_result(cpu, v));
  // Setting TF starts single-stepping after the next instruction.
  if ((before ^ cpu.eflags) & eflags::kTF) return e.exit_to(s.insn.next_eip());
  return HelperResult::kContinue;
}

HelperResult helper_mov_cr(HelperContext& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  const ZydisDecodedOperand& dst = s.insn.ops[0];
  const ZydisDecodedOperand& src = s.insn.ops[1];
  uint32_t* crs[] = {&cpu.cr0, nullptr, &cpu.cr2, &cpu.cr3, &cpu.cr4};
  if (ZydisRegisterGetClass(dst.reg.value) == ZYDIS_REGCLASS_GPR32) {  // mov r32, crN
    unsigned n = src.reg.value - ZYDIS_REGISTER_CR0;
    if (n > 4 || !crs[n]) return e.undefined(s.insn);
    cpu.gpr[guest_gpr_of(dst.reg.value)] = *crs[n];
    return HelperResult::kContinue;
  }
  unsigned n = dst.reg.value - ZYDIS_REGISTER_CR0;
  if (n > 4 || !crs[n]) return e.undefined(s.insn);
  uint32_t v = read_register(cpu, src.reg.value);
  if (n == 0) {
    if ((v & cr0::kPG) && !(v & cr0::kPE)) return e.raise(Vector::kGP, 0u);
    v |= cr0::kET;
  }
  if (n == 4 && (v & ~kCr4Supported)) return e.raise(Vector::kGP, 0u);
  if (loads_pdptes(cpu, n, v) && !e.memory.pae_pdptes_valid(n == 3 ? v : cpu.cr3)) return e.raise(Vector::kGP, 0u);
  e.cr_written(n, std::exchange(*crs[n], v), v);
  if (n == 2) return HelperResult::kContinue;
  if (n == 0) e.segments_changed();  // CR0.PE decides segment checks, CR0.AM alignment checks
  e.paging_changed(n == 3);
  return exit_after(e, s);  // the mode or the address space may have changed
}

HelperResult helper_mov_dr(HelperContext& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  const ZydisDecodedOperand& dst = s.insn.ops[0];
  const ZydisDecodedOperand& src = s.insn.ops[1];
  if (ZydisRegisterGetClass(dst.reg.value) == ZYDIS_REGCLASS_GPR32)
    cpu.gpr[guest_gpr_of(dst.reg.value)] = cpu.dr[src.reg.value - ZYDIS_REGISTER_DR0];
  else
    cpu.dr[dst.reg.value - ZYDIS_REGISTER_DR0] = read_register(cpu, src.reg.value);
  // New instruction breakpoints may lie in this very block.
  return e.breakpoints.update(cpu) ? exit_after(e, s) : HelperResult::kContinue;
}

// An armed instruction breakpoint: #DB (a fault) unless EFLAGS.RF says the
// debug handler resumes this instruction.
HelperResult helper_breakpoint(HelperContext& e, const HelperSite& s) {
  if (e.cpu.eflags & eflags::kRF) return HelperResult::kContinue;
  e.cpu.dr[6] |= InstructionBreakpoints::hits(e.cpu, e.cpu.seg[kCs].base + s.insn.eip);
  return e.raise(Vector::kDB);
}

HelperResult helper_clts(HelperContext& e, const HelperSite&) {
  const uint32_t old = e.cpu.cr0;
  e.cpu.cr0 &= ~cr0::kTS;
  e.cr_written(0, old, e.cpu.cr0);
  return HelperResult::kContinue;
}

HelperResult helper_lmsw(HelperContext& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  const ZydisDecodedOperand& op = s.insn.ops[0];
  uint16_t v;
  if (op.type == ZYDIS_OPERAND_TYPE_MEMORY) {
    uint32_t linear;
    if (!operand_linear(e, s.insn, op, 2, false, linear) || !e.read_linear(linear, &v, 2)) return HelperResult::kExit;
  } else {
    v = static_cast<uint16_t>(read_register(cpu, op.reg.value));
  }
  // LMSW sets PE, MP, EM, TS from the operand but cannot clear PE.
  const uint32_t old = cpu.cr0;
  cpu.cr0 = (cpu.cr0 & ~0xEu) | (v & 0xF) | (cpu.cr0 & cr0::kPE);
  e.cr_written(0, old, cpu.cr0);
  e.segments_changed();
  return exit_after(e, s);
}

HelperResult helper_smsw(HelperContext& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  const ZydisDecodedOperand& op = s.insn.ops[0];
  if (op.type == ZYDIS_OPERAND_TYPE_MEMORY) {
    auto v = static_cast<uint16_t>(cpu.cr0);
    uint32_t linear;
    return operand_linear(e, s.insn, op, 2, true, linear) && e.write_linear(linear, &v, 2) ? HelperResult::kContinue
                                                                                             : HelperResult::kExit;
  }
  write_register(cpu, op.reg.value, cpu.cr0);
  return HelperResult::kContinue;
}

HelperResult helper_cache_control(HelperContext& e, const HelperSite& s) {
  if (s.insn.mnemonic() == ZYDIS_MNEMONIC_INVLPG) {
    e.invlpg(effective_linear(e.cpu, s.insn.info, s.insn.ops[0]));
    return exit_after(e, s);  // translations of this page may be stale
  }
  return HelperResult::kContinue;  // invd, wbinvd: caches are coherent here
}

// An FPU/SSE instruction while CR0.TS or CR0.EM is set (SDM 2.5, table 2-2).
HelperResult helper_fpu_unavailable(HelperContext& e, const HelperSite& s) {
  const CpuState& cpu = e.cpu;
  bool wait = s.insn.mnemonic() == ZYDIS_MNEMONIC_FWAIT;
  bool x87 = s.insn.info.meta.isa_ext == ZYDIS_ISA_EXT_X87 || wait;
  if (wait) {  // wait faults only with TS and MP both set
    if ((cpu.cr0 & (cr0::kTS | cr0::kMP)) != (cr0::kTS | cr0::kMP)) return e.exit_to(s.insn.next_eip());
    return e.raise(Vector::kNM);
  }
  if ((cpu.cr0 & cr0::kEM) && !x87) return e.raise(Vector::kUD);  // SSE/MMX with EM: #UD
  return e.raise(Vector::kNM);                                    // #NM
}

HelperResult helper_undefined(HelperContext& e, const HelperSite& s) { return e.undefined(s.insn); }

// An instruction that needs CPL 0, at CPL > 0 (the op table's CPL column).
HelperResult helper_general_protection(HelperContext& e, const HelperSite&) { return e.raise(Vector::kGP, 0u); }

// A valid instruction bt86 cannot carry out yet: named with its bytes,
// address and mode, and the run ends (status 2).
HelperResult helper_unsupported(HelperContext& e, const HelperSite& s) {
  const CpuState& cpu = e.cpu;
  return e.die(fmt::format("unsupported instruction '{}' ({}) at CS:EIP={:04x}:{:#010x} in {}-bit {} mode{}, CPL {}",
                           s.insn.text(), s.insn.hex_bytes(), cpu.seg[kCs].selector, s.insn.eip, cpu.code32() ? 32 : 16,
                           cpu.protected_mode() ? "protected" : "real", cpu.paging() ? " with paging" : "",
                           cpu.cpl()));
}

HelperResult helper_fetch_fault(HelperContext& e, const HelperSite& s) {
  return e.fetch_fault(((e.cpu.seg[kCs].base + s.insn.eip) | 0xFFFu) + 1);  // the page after the one it starts in
}

}  // namespace bt86
