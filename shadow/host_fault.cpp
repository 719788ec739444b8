#include "bt86/shadow/host_fault.h"

namespace bt86 {

WindowFault resolve_window_fault(AddressSpace& aspace, uintptr_t host_addr, bool write) {
  bool user = false;
  const ShadowWindow* window = aspace.window_of(host_addr, user);
  if (!window) return {WindowFault::Kind::kOutside};
  // Only an access that wraps around 4 GiB reaches a guard region.
  if (window->classify(host_addr) != ShadowWindow::Region::kWindow) return {WindowFault::Kind::kGuard};
  const uint32_t linear = window->linear(host_addr);
  AddressSpace::Fill fill = aspace.fill(linear, write, user);
  const bool filled = fill.outcome == AddressSpace::Outcome::kMapped;
  return {filled ? WindowFault::Kind::kFilled : WindowFault::Kind::kGuestFault, linear, fill};
}

}  // namespace bt86
