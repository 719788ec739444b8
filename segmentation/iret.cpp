#include "bt86/segmentation/iret.h"

#include <fmt/format.h>

#include "bt86/segmentation/far_transfer.h"
#include "bt86/segmentation/guest_stack.h"
#include "bt86/segmentation/privilege.h"
#include "bt86/segmentation/real_mode.h"
#include "bt86/segmentation/segment_load.h"
#include "bt86/segmentation/task_switch.h"
#include "bt86/segmentation/v86.h"

namespace bt86 {

bool iret(SystemContext& ctx, unsigned width, uint32_t return_eip) {
  CpuState& cpu = ctx.cpu;
  cpu.nmi_blocked = false;  // an NMI handler's iret lets the next NMI in (even one that faults, SDM 6.7.1)
  if (!cpu.protected_mode()) return real_mode_iret(ctx, width);
  if (in_v86(cpu)) return v86_iret(ctx, width);
  if (cpu.eflags & eflags::kNT) {  // return to the task in the back link
    uint16_t link;
    if (!ctx.read_linear(cpu.tr.base, &link, 2, SystemContext::Privilege::kSupervisor)) return false;
    const uint32_t insn_eip = cpu.eip;
    cpu.eip = return_eip;
    if (task_switch(ctx, link, TaskSwitchReason::kIret)) return true;
    cpu.eip = insn_eip;  // faults report the iret
    return false;
  }
  const unsigned old_cpl = cpu.cpl();
  const uint32_t start_esp = cpu.gpr[kEsp];
  auto fail = [&] {
    cpu.gpr[kEsp] = start_esp;
    return false;
  };
  uint32_t frame[3];
  if (!pop_frame(ctx, width, frame)) return fail();
  const uint32_t eip = frame[0], cs = frame[1], flags = frame[2];
  uint32_t esp = 0, ss = 0;
  if ((flags & eflags::kVM) && width == 4 && old_cpl == 0) return iret_to_v86(ctx, eip, cs, flags) || fail();
  bool outer = selector_rpl(cs) > old_cpl;
  // Everything is popped at the old privilege, before CS changes.
  uint32_t outer_frame[2] = {};
  if (outer && !pop_frame(ctx, width, outer_frame)) return fail();
  esp = outer_frame[0], ss = outer_frame[1];
  if (selector_rpl(cs) < old_cpl) return ctx.raise(Vector::kGP, selector_error(cs)), fail();
  const uint32_t load = iret_loads(old_cpl, iopl(cpu), width == 4);
  const uint32_t old_flags = cpu.eflags;
  if (!load_code_segment(ctx, static_cast<uint16_t>(cs), eip, Transfer::kReturn)) return fail();
  set_eflags(ctx, (old_flags & ~load) | (flags & load));
  if (outer) return load_outer_stack(ctx, esp, static_cast<uint16_t>(ss), width);
  return true;
}

}  // namespace bt86
