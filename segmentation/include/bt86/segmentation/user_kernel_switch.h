// The privilege switches a protected-mode OS makes on every system call,
// page fault and device interrupt of a user process: an event (`int n`, an
// exception, an interrupt) from user mode (CPL 3) into its kernel (CPL 0)
// through a 32-bit gate, and `iretd` from the kernel back to user mode (or
// to the kernel code an interrupt stopped). In the form an OS gives them
// (present descriptors, accessed, a flat 32-bit kernel stack that is
// mapped, nothing to fault) they take a few reads and one frame copy; the
// general paths (deliver_event, iret) check and carry out every other case.
//
// Each function either carries out the whole instruction, with the same
// result as the general path, or changes nothing, raises nothing and
// returns false: the caller then takes the general path, which also raises
// whatever fault there is. Each counts itself in ctx.fast_paths. See
// docs/ARCHITECTURE.md, "User-kernel switches".
#pragma once
#include <cstdint>

#include "bt86/segmentation/event.h"
#include "bt86/segmentation/system_context.h"

namespace bt86 {

// Delivers event, raised at CPL 3 (deliver_event tries this first).
bool user_to_kernel_event(SystemContext& ctx, const Event& event);
// `iret` with a 32-bit operand size at CPL 0, to CPL 3 or within CPL 0
// (the return from an interrupt of kernel code).
bool kernel_iret(SystemContext& ctx, unsigned width);

}  // namespace bt86
