#include "dispatch/adaptive_sites.h"

namespace bt86 {

bool AdaptiveSites::note_fault(uint64_t key) {
  if (sites_.size() >= kMaxSites && !sites_.count(key)) sites_.clear();
  Site& s = sites_[key];
  if (s.adaptive || ++s.faults < s.needed) return false;
  s.adaptive = true;
  s.calm = 0;
  return true;
}

bool AdaptiveSites::note_access(uint64_t key, bool would_fault) {
  auto it = sites_.find(key);
  if (it == sites_.end() || !it->second.adaptive) return false;
  Site& s = it->second;
  if (would_fault) {
    s.calm = 0;
    return false;
  }
  if (++s.calm < kCalmToDemote) return false;
  s.adaptive = false;
  s.faults = 0;
  s.needed = s.needed < (1u << 20) ? s.needed * 2 : s.needed;
  return true;
}

}  // namespace bt86
