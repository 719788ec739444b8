// Delivers an interrupt or exception through the guest IDT (SDM vol. 3,
// ch. 6): 32- and 16-bit interrupt and trap gates and task gates, the
// stack switch to an inner privilege level, the frame (with the data
// segments when it leaves virtual-8086 mode, segmentation/v86.h); in real
// mode through the IVT (segmentation/real_mode.h). A fault while delivering
// is delivered instead, or becomes a double or triple fault as the
// architecture says.
#pragma once
#include "bt86/segmentation/event.h"
#include "bt86/segmentation/system_context.h"

namespace bt86 {

// True once the guest runs the handler (CS:EIP, stack and EFLAGS as the
// architecture leaves them); false when the guest is dead (ctx.death():
// a triple fault, or a valid form not run yet).
bool deliver_event(SystemContext& ctx, const Event& event);

}  // namespace bt86
