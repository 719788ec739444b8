// Guest page-table walks, as the MMU does them: 2-level 32-bit paging with
// 4 MiB pages (CR4.PSE), and PAE paging (3 levels, 2 MiB pages). Permission
// checks honour P, R/W, U/S and CR0.WP; accessed and dirty bits are set
// exactly when the hardware would set them. The shadows are kept coherent
// by write tracing (see address_space.h), so they give global entries no
// special treatment; the translator's indirect-branch tables do (a global
// page keeps its translation across CR3 loads, as in a TLB).
#pragma once
#include <cstdint>

#include "bt86/shadow/guest_ram.h"

namespace bt86 {

struct PagingMode {
  uint32_t cr0 = 0, cr3 = 0, cr4 = 0;
  uint64_t efer = 0;
  bool enabled() const { return cr0 & (1u << 31); }
  bool pae() const { return cr4 & (1u << 5); }
  bool pse() const { return cr4 & (1u << 4); }
  bool write_protect() const { return cr0 & (1u << 16); }
  bool global_pages() const { return cr4 & (1u << 7); }
  bool nx() const { return pae() && (efer & (1u << 11)); }
  bool operator==(const PagingMode&) const = default;
};

enum class Access { kRead, kWrite, kFetch };

namespace pf {  // #PF error-code bits
constexpr uint32_t kPresent = 1, kWrite = 2, kUser = 4, kReserved = 8, kFetch = 16;
}

struct Walk {
  bool ok = false;
  uint64_t phys = 0;          // physical address of `linear` (valid when ok; PAE can exceed 4 GiB)
  bool writable = false;      // writes allowed to this privilege (CR0.WP considered)
  bool dirty = false;         // the leaf entry's D bit (after this walk)
  bool global = false;        // the leaf entry's G bit, with CR4.PGE on
  bool accessed = false;      // A was already set in every level (before this walk)
  uint32_t error_code = 0;    // #PF error code when !ok
  // The guest pages whose entries this translation was read from (for
  // write tracing): the leaf page table (none for a 4 MiB/2 MiB page) and,
  // with PAE, the page directory (the CR3 page holds the top level).
  static constexpr uint64_t kNone = ~0ull;
  uint64_t table_page = kNone;
  uint64_t directory_page = kNone;
};

// PAE: whether the four PDPTEs at cr3 may be loaded. A MOV to CR0, CR3 or
// CR4 that loads them raises #GP(0) when a present one has a reserved bit
// set (SDM vol. 3, 4.4.1). Entries outside RAM read as not present.
bool pae_pdptes_valid(GuestRam& ram, uint32_t cr3);

// Walks the guest tables for one access. user: the access is made at CPL 3.
// With set_bits, A (and D for writes) are set in guest memory as hardware
// does on a successful walk. Page tables outside RAM read as not present.
Walk walk(GuestRam& ram, const PagingMode& mode, uint32_t linear, Access access, bool user, bool set_bits = true);

}  // namespace bt86
