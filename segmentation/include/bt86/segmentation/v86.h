// Virtual-8086 mode (EFLAGS.VM in protected mode; SDM vol. 3, 20.2-20.3):
// CPL 3, segments as real mode forms them (base = selector * 16, 64 KiB),
// under the guest's paging. The IOPL-sensitive instructions (cli, sti,
// pushf, popf, int n, iret) raise #GP(0) to the ring-0 monitor while IOPL
// is below 3, port I/O always consults the TSS's I/O permission bitmap, and
// an interrupt or exception leaves for ring 0 through a gate whose frame
// (dwords, or words through a 16-bit gate) holds GS, FS, DS and ES too,
// with those registers then null. Entered by an iret at CPL 0 whose EFLAGS
// image has VM, or by a task switch to a TSS whose EFLAGS has it. With
// CR4.VME (the Pentium's virtual-8086 mode extensions, SDM vol. 3,
// 20.3-20.4) cli, sti, 16-bit pushf, popf and iret work on the virtual
// interrupt flag VIF below IOPL 3 instead of faulting, and int n follows
// the TSS's interrupt redirection bitmap; CR4.PVI gives cli and sti the
// same meaning at CPL 3 in protected mode.
#pragma once
#include <cstdint>

#include "bt86/segmentation/privilege.h"
#include "bt86/segmentation/system_context.h"

namespace bt86 {

inline bool in_v86(const CpuState& cpu) { return cpu.eflags & eflags::kVM; }
// cli, sti, pushf, popf, int n and iret fault (#GP(0)) in v86 mode below IOPL 3.
inline bool v86_iopl_faults(const CpuState& cpu) { return in_v86(cpu) && iopl(cpu) < 3; }

// A segment register as virtual-8086 mode loads it: base = selector * 16, a
// 64 KiB limit, a present, accessed, writable data segment of DPL 3 (CS
// too, as VMX requires of a virtual-8086 guest's segments).
void load_v86_segment(SegmentCache& s, uint16_t selector);
// Sets all six segment registers from selectors (ES CS SS DS FS GS), v86-style.
void load_v86_segments(CpuState& cpu, const uint32_t selectors[6]);

// The rest of an iret at CPL 0 to an image with VM set, once EIP, CS and
// EFLAGS are popped: pops ESP, SS, ES, DS, FS and GS (dwords), enters v86
// mode at CS:EIP with all of EFLAGS.
bool iret_to_v86(SystemContext& ctx, uint32_t eip, uint32_t cs, uint32_t flags);
// iret inside v86 mode: at IOPL 3 as in real mode, but the pop changes
// neither IOPL nor (32-bit) VM, VIF and VIP; below IOPL 3, #GP(0).
bool v86_iret(SystemContext& ctx, unsigned width);

// cli (set false) or sti where IOPL does not allow them: VIF instead, with
// CR4.VME in v86 mode or CR4.PVI at CPL 3 in protected mode (sti while VIP
// is set is #GP(0)); otherwise #GP(0). False when it raised.
bool virtual_interrupt_flag(SystemContext& ctx, bool set);
// pushf and popf in v86 mode below IOPL 3: with CR4.VME and a 16-bit
// operand size, FLAGS with IF standing for VIF (pushf shows IOPL 3; popf
// loads VIF from IF, keeps IF and IOPL, and is #GP(0) for an image with TF,
// or with IF while VIP is set); otherwise #GP(0). False when it raised.
bool v86_pushf(SystemContext& ctx, unsigned width);
bool v86_popf(SystemContext& ctx, unsigned width);
// int n in v86 mode (SDM vol. 3, table 20-2): to the protected-mode IDT,
// redirected to the v86 program's own vector table at linear 0 (CR4.VME and
// the bit clear in the TSS's redirection bitmap), or #GP(0).
enum class V86Int { kToIdt, kRedirected, kFaulted };
V86Int v86_int(SystemContext& ctx, uint8_t vector, uint32_t return_ip);

// An event leaving v86 mode pushes GS, FS, DS and ES in this order before
// SS and ESP on the ring-0 stack, as wide as the gate ...
inline constexpr unsigned kV86DataSegments[4] = {kGs, kFs, kDs, kEs};
// ... and, once delivered, leaves those registers null.
void null_v86_data_segments(CpuState& cpu);

}  // namespace bt86
