// Block formation: a translation block is the guest code from EIP on,
// fetched through the guest page tables (RAM, else the MMIO bus) and
// decoded one instruction after another, each handed to its emitter, until
// the block ends: at a control transfer or a helper that leaves translated
// code, at a page boundary, or after kMaxInstructions. An instruction that
// does not decode or that straddles two pages gets a block of its own, so
// that its fault, or the mapping of its second page, is seen when it runs.
// An instruction at an armed instruction breakpoint gets the check (#DB)
// before it.
// A debugger's breakpoint puts a check before its instruction. An adaptive
// instruction (dispatch/adaptive_sites.h) redirects its accesses; after one
// that writes, the block ends, since the write may replace translated code.
#pragma once
#include <cstdint>
#include <memory>

#include "bt86/devices/bus.h"
#include "bt86/shadow/address_space.h"
#include "bt86/shadow/guest_ram.h"
#include "cache/block.h"
#include "cache/code_cache.h"
#include "dispatch/adaptive_sites.h"
#include "dispatch/debug_stops.h"
#include "dispatch/stubs.h"
#include "runtime/breakpoints.h"

namespace bt86 {

class BlockFormer {
public:
  static constexpr unsigned kMaxInstructions = 96;

  BlockFormer(GuestRam& ram, Bus& mmio, AddressSpace& aspace, const Stubs& stubs, CodeCache& cache,
              const InstructionBreakpoints& breakpoints)
      : ram_(ram), mmio_(mmio), aspace_(aspace), stubs_(stubs), cache_(cache), breakpoints_(breakpoints) {}

  // The block at EIP eip (linear cs_base + eip), whose first byte is at
  // physical phys, for the block mode; placed in the cache but not yet
  // entered in it. nullptr when the cache is full.
  std::unique_ptr<Block> form(uint32_t eip, uint32_t cs_base, uint64_t phys, uint32_t mode);

  // A debugger's breakpoints (dispatch/debug_stops.h); null: none.
  const DebugStops* debug = nullptr;
  // The instructions translated with their accesses redirected; null: none.
  const AdaptiveSites* adaptive = nullptr;

private:
  // Instruction bytes at phys (one page at most): RAM, else the MMIO bus.
  void fetch_physical(uint64_t phys, uint8_t* dst, size_t n);

  GuestRam& ram_;
  Bus& mmio_;
  AddressSpace& aspace_;
  const Stubs& stubs_;
  CodeCache& cache_;
  const InstructionBreakpoints& breakpoints_;
};

}  // namespace bt86
