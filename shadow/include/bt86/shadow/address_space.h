// The guest's linear address space as translated code sees it: two shadow
// windows (a supervisor view for CPL 0-2 and a user view for CPL 3, so user
// code can never reach supervisor pages), filled lazily from the guest page
// tables on host faults, with TLB semantics: a CR3 write or a paging change
// drops every mapping, invlpg drops one page.
//
// It also keeps the write protection of guest-physical pages that hold
// translated code, across every place they are mapped (a reverse map from
// physical page to mappings), and the host's mapping budget.
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "bt86/shadow/guest_ram.h"
#include "bt86/shadow/page_walk.h"
#include "bt86/shadow/shadow_window.h"

namespace bt86 {

class AddressSpace {
public:
  // Past this many mapped pages (each may cost a host VMA, limited by
  // vm.max_map_count, 65530 by default) a window is emptied and refilled.
  static constexpr size_t kMappingBudget = 24000;

  explicit AddressSpace(GuestRam& ram);

  // New CR0/CR3/CR4/EFER. Drops every mapping when the translation they
  // define may have changed (paging on/off, CR3, PSE/PAE/PGE, WP, NXE).
  void set_mode(const PagingMode& mode);
  const PagingMode& mode() const { return mode_; }
  void flush_all();
  void flush_non_global();           // a CR3 write
  void flush_page(uint32_t linear);  // invlpg

  uint8_t* base(bool user) const { return view(user).base(); }
  // Which view a host address belongs to; nullptr if neither.
  const ShadowWindow* window_of(uintptr_t host_addr, bool& user) const;

  // Linear -> physical for C++ code and instruction fetch (identity when
  // paging is off); sets A/D as the access would.
  Walk translate(uint32_t linear, Access access, bool user);

  enum class Outcome { kMapped, kPageFault, kCodeWrite, kMmio };
  struct Fill {
    Outcome outcome;
    uint64_t phys = 0;
    uint32_t error_code = 0;
    bool dirty_upgrade = false;  // a read-only mapping became writable
  };
  // A host fault at `linear` in one view: map it if the guest allows the
  // access (a hidden fault), or say why not.
  Fill fill(uint32_t linear, bool write, bool user);

  bool is_ram(uint64_t phys) const;
  bool is_code(uint32_t phys) const { return is_ram(phys) && code_[phys >> 12]; }
  // Makes every mapping of the physical page read-only, now and later.
  void protect_code(uint32_t phys);
  // Gives the page's mappings back the protection the guest tables allow.
  void unprotect_code(uint32_t phys);

  size_t mapped_pages() const { return views_[0]->mapped_pages() + views_[1]->mapped_pages(); }
  uint64_t budget_flushes() const { return budget_flushes_; }

private:
  struct Ref {
    uint8_t user;
    uint32_t linear_page;
    bool guest_writable;  // what the guest tables allow (dirty included)
  };
  ShadowWindow& view(bool user) const { return *views_[user ? 1 : 0]; }
  void map(bool user, uint32_t linear_page, uint32_t phys_page, bool guest_writable, bool global);
  void map_neighbours(uint32_t linear, bool user);

  GuestRam& ram_;
  PagingMode mode_;
  std::unique_ptr<ShadowWindow> views_[2];
  std::vector<bool> code_;                                   // by physical page
  std::unordered_map<uint32_t, std::vector<Ref>> reverse_;   // physical page -> mappings (may be stale)
  uint64_t budget_flushes_ = 0;
};

}  // namespace bt86
