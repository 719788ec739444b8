// sysenter and sysexit (SDM vol. 2): fixed flat segments derived from
// IA32_SYSENTER_CS, loaded without reading descriptors; and syscall and
// sysret outside long mode, as AMD's family-6 CPUs define them (AMD64 APM
// vol. 3), the same way from STAR.
#pragma once
#include "bt86/segmentation/system_context.h"

namespace bt86 {

// #GP(0) outside protected mode or with a null IA32_SYSENTER_CS.
bool sysenter(SystemContext& ctx);
// The same; and sysexit is CPL 0 only (the caller's check).
bool sysexit(SystemContext& ctx);
// #UD with EFER.SCE clear. ECX gets return_eip (the next instruction's).
bool syscall(SystemContext& ctx, uint32_t return_eip);
// #UD with EFER.SCE clear, else #GP(0) outside protected mode or at CPL > 0.
bool sysret(SystemContext& ctx);

}  // namespace bt86
