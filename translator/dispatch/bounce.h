// Bounce blocks: the instruction whose host access faulted because its
// guest bytes are not plain RAM in the shadow window runs again, alone, in
// a block whose every memory access first asks here where to go
// (emit/emit_bounce.cpp); so do adaptive instructions in ordinary blocks
// (adaptive_sites.h). Plain RAM is accessed in the window as usual (a page
// whose mapping churns, in RAM directly, so it need not be mapped);
// anything else (a device, physical memory nobody backs, which reads as all
// ones and drops writes like a PC's open bus, a page holding translated
// code being written, a page a debugger watches, an access that wraps
// around 4 GiB) in a scratch
// buffer, filled through guest memory's C++ accessors before a read and
// written back after the store. So every instruction form, ident or
// expanded, runs natively with its own flags on exactly the bytes the CPU
// would touch.
#pragma once
#include <cstdint>
#include <optional>

#include "bt86/shadow/address_space.h"
#include "runtime/helper_context.h"

namespace bt86 {

class Bounce {
public:
  Bounce(HelperContext& context, AddressSpace& aspace) : context_(context), aspace_(aspace) {}

  // Where the instruction at cpu.eip accesses `size` bytes at linear:
  // frame.access_address := their offset from the window base (the address
  // itself for plain RAM, else a scratch buffer filled by a read). Raises
  // #PF if a page of them does not allow the access; false after raising.
  bool redirect(uint32_t linear, unsigned size, bool read, bool write);
  // After the store to a redirected write: the scratch bytes go out.
  bool commit();
  // Whether the last redirected access would have taken a host fault had
  // it run natively (its bytes not mapped in the window for it).
  bool would_fault() const { return would_fault_; }

private:
  // Two buffers, for an instruction's source and destination; up to
  // fxsave's 512 bytes at the address's offset within 64 bytes, so its
  // alignment stays.
  static constexpr unsigned kSlot = 1024;
  struct PendingWrite {
    uint32_t linear;
    unsigned size;
    const uint8_t* data;
  };

  HelperContext& context_;
  AddressSpace& aspace_;
  alignas(64) uint8_t scratch_[2][kSlot] = {};
  unsigned next_slot_ = 0;
  std::optional<PendingWrite> pending_write_;
  bool would_fault_ = true;
};

}  // namespace bt86
