// sysenter and sysexit (SDM vol. 2): fixed flat segments derived from
// IA32_SYSENTER_CS, loaded without reading descriptors.
#pragma once
#include "bt86/segmentation/system_context.h"

namespace bt86 {

// #GP(0) outside protected mode or with a null IA32_SYSENTER_CS.
bool sysenter(SystemContext& ctx);
// The same; and sysexit is CPL 0 only (the caller's check).
bool sysexit(SystemContext& ctx);

}  // namespace bt86
