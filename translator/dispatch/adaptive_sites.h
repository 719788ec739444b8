// Adaptive translation (VMware's trick, Adams & Agesen 2006): a guest
// instruction that keeps taking host faults it cannot avoid natively (a
// device's MMIO, a guest #PF, a store to translated code, a page whose
// mapping churns through invlpg) is translated again with its accesses
// redirected: each first asks the engine where to go (the bounce path,
// dispatch/bounce.h), which costs a call instead of a host signal and
// never needs the page mapped in the shadow window. One that then runs
// calmly for a while (its accesses would have hit the window natively)
// goes back to plain translation; each demotion doubles the faults the
// next promotion needs, so an instruction cannot flip back and forth fast.
#pragma once
#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "bt86/translator/block_mode.h"

namespace bt86 {

class AdaptiveSites {
public:
  static constexpr uint32_t kFaultsToPromote = 4;
  static constexpr uint32_t kCalmToDemote = 64;

  // An instruction is named by the physical address of its first byte and
  // its block mode (its meaning depends on both), whatever block holds it.
  static uint64_t key(uint32_t phys, uint32_t mode) { return uint64_t{mode & ~mode::kOne} << 32 | phys; }
  static uint32_t phys_of(uint64_t key) { return static_cast<uint32_t>(key); }

  // A host fault of the kinds above at the instruction: true when it has
  // just become adaptive (its blocks must be translated again).
  bool note_fault(uint64_t key);
  bool adaptive(uint64_t key) const {
    auto it = sites_.find(key);
    return it != sites_.end() && it->second.adaptive;
  }
  // A redirected access of an adaptive instruction, and whether a native
  // access would have faulted: true when it has just been demoted.
  bool note_access(uint64_t key, bool would_fault);

private:
  struct Site {
    uint32_t faults = 0;
    uint32_t calm = 0;
    uint32_t needed = kFaultsToPromote;
    bool adaptive = false;
  };
  // Bounded: past this many, forget them all (they only cost speed).
  static constexpr size_t kMaxSites = 4096;
  std::unordered_map<uint64_t, Site> sites_;
};

}  // namespace bt86
