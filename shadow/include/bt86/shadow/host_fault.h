// What a host fault at an address in a shadow window means. Most are the
// window filling itself lazily (a hidden fault: the mapping was made, the
// access can run again); the others say what the guest must see instead:
// a #PF, a write to a page holding translated code, an access to memory
// that is not RAM, or one that wrapped around 4 GiB into a guard region.
#pragma once
#include <cstdint>

#include "bt86/shadow/address_space.h"

namespace bt86 {

struct WindowFault {
  enum class Kind {
    kOutside,  // no window of the current context holds the address
    kGuard,    // a guard region: the access wrapped around 4 GiB
    kFilled,   // resolved: run the access again (fill tells how)
    kGuestFault,  // fill.outcome says which: #PF, code write, MMIO
  };
  Kind kind;
  uint32_t linear = 0;  // the guest linear address, for kFilled and kGuestFault
  AddressSpace::Fill fill{AddressSpace::Outcome::kMapped};
};

// Resolves a fault of a write (or read) access at host_addr.
WindowFault resolve_window_fault(AddressSpace& aspace, uintptr_t host_addr, bool write);

}  // namespace bt86
