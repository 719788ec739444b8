// The guest's linear address space as translated code sees it: for each of
// the last few guest address spaces (one per CR3 value) a shadow context of
// two windows, a supervisor view for CPL 0-2 and a user view for CPL 3 (so
// user code can never reach supervisor pages), filled lazily from the guest
// page tables on host faults.
//
// Contexts stay alive across CR3 switches: every guest page-table page a
// mapping was derived from is write-protected (traced), with a copy of its
// entries as they were then. A guest write to one untraces it and lets the
// write happen; each context that depends on it compares the entries with
// that copy when it is next entered (a CR3 load, as a TLB flush would) and
// drops only what the changed entries mapped. So a context's mappings agree
// with the guest tables whenever the architecture says they must, a context
// switch costs no refill, and rewriting one entry of a page directory (a
// fork's new one, say) costs the mappings of that entry, not the context.
//
// It also keeps the write protection of guest-physical pages that hold
// translated code, across every place they are mapped (a reverse map from
// physical page to mappings), and the host's mapping budget.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bt86/shadow/guest_ram.h"
#include "bt86/shadow/page_walk.h"
#include "bt86/shadow/shadow_window.h"

namespace bt86 {

class AddressSpace {
public:
  // Past this many host VMAs in all contexts' windows (at most, see
  // ShadowWindow::host_mappings; vm.max_map_count is 65530 by default)
  // contexts are emptied, least recently used first.
  static constexpr size_t kMappingBudget = 48000;
  // Guest address spaces whose shadows are kept (each reserves 12 GiB of
  // host address space and nothing else until it maps pages).
  static constexpr size_t kContexts = 8;

  explicit AddressSpace(GuestRam& ram);
  ~AddressSpace();

  // New CR0/CR3/CR4/EFER: selects the context of the CR3 value, and drops
  // every context when the translation itself changes (paging on/off, PSE,
  // PAE, WP, NXE). cr3_load: CR3 was written (a TLB flush, even to the same
  // value).
  void set_mode(const PagingMode& mode, bool cr3_load = false);
  const PagingMode& mode() const { return mode_; }
  void flush_all();
  // The A20 gate: closed, bit 20 of every physical address is 0, so linear
  // 1 MiB..1 MiB+64 KiB aliases 0..64 KiB as on an 8086. A change empties
  // every context; true when it changed.
  bool set_a20(bool open);
  void flush_page(uint32_t linear);  // invlpg

  uint8_t* base(bool user) const { return view(user).base(); }
  // Which view of the current context a host address belongs to; nullptr if neither.
  const ShadowWindow* window_of(uintptr_t host_addr, bool& user) const;

  // Linear -> physical for C++ code and instruction fetch (identity when
  // paging is off; bit 20 cleared while the A20 gate is closed); sets A/D
  // as the access would, unless !set_bits.
  Walk translate(uint32_t linear, Access access, bool user, bool set_bits = true);
  // The physical page a view maps `linear` to, if it is mapped there for
  // this access (reads: mapped; writes: mapped writable, so neither code nor
  // a traced table); kNotMapped otherwise. What translated code would reach,
  // with no walk: a TLB hit.
  static constexpr uint64_t kNotMapped = ~0ull;
  uint64_t mapped_page(uint32_t linear, bool write, bool user) const {
    const ShadowWindow::Mapping* m = current_views_[user]->mapping(linear & ~0xFFFu);
    return m && (!write || m->writable) ? m->phys_page : kNotMapped;
  }

  // kWatched: a debugger watches the linear page (set_watched_pages).
  enum class Outcome { kMapped, kPageFault, kCodeWrite, kMmio, kWatched };
  struct Fill {
    Outcome outcome;
    uint64_t phys = 0;
    uint32_t error_code = 0;
    bool dirty_upgrade = false;  // a read-only mapping became writable
    bool table_write = false;    // the write goes to a traced page table
  };
  // A host fault at `linear` in one view: map it if the guest allows the
  // access (a hidden fault), or say why not.
  Fill fill(uint32_t linear, bool write, bool user);
  // C++ code (not translated code) is about to write this physical page.
  void note_write(uint32_t phys);

  bool is_ram(uint64_t phys) const;
  // RAM to reads and fetch (is_ram, or a legacy page routed read-only,
  // which is mapped read-only: its writes go to the bus).
  bool reads_ram(uint64_t phys) const;
  // A linear page whose mapping churns: invlpg found it mapped and had to
  // drop or replace it kChurnLimit times, recently. invlpg then only
  // parks it (a replacement costs an mmap), and redirected accesses
  // (translator/dispatch/bounce.h) reach it through direct_page.
  static constexpr uint32_t kChurnLimit = 4;
  bool churning(uint32_t linear) const;
  // The host address of the RAM page holding phys, for an access that
  // bypasses the window; nullptr unless it is RAM and, for a write, neither
  // translated code nor a traced page table (whose writes must be seen).
  uint8_t* direct_page(uint64_t phys, bool write) const;
  // Linear pages a debugger watches (sorted): never mapped in any view, so
  // that every access to them faults (Outcome::kWatched). A change empties
  // every context.
  void set_watched_pages(std::vector<uint32_t> pages);
  bool watched(uint32_t linear) const {
    return !watched_.empty() && std::binary_search(watched_.begin(), watched_.end(), linear & ~0xFFFu);
  }
  bool is_code(uint32_t phys) const { return is_ram(phys) && code_[phys >> 12]; }
  // Makes every mapping of the physical page read-only, now and later.
  void protect_code(uint32_t phys);
  // Gives the page's mappings back the protection the guest tables allow.
  void unprotect_code(uint32_t phys);

  size_t host_mappings() const;
  struct Counters {
    uint64_t budget_flushes = 0;
    uint64_t context_switches = 0;  // CR3 values that changed the context
    uint64_t context_hits = 0;      // ... to one whose shadow was still alive
    uint64_t context_evictions = 0;
    uint64_t table_writes = 0;      // traced page-table pages written by the guest
  };
  const Counters& counters() const { return counters_; }

private:
  struct Context;
  struct Ref {  // one mapping of a physical page
    Context* context;
    uint8_t user;
    uint32_t linear_page;
    bool guest_writable;  // what the guest tables allow (dirty included)
  };
  // A traced table page's entries when it was traced, which mappings made
  // since agree with; shared by every dependent of that tracing.
  using TableImage = std::shared_ptr<const std::array<uint8_t, 4096>>;
  struct Dependent {  // mappings derived from a traced page-table page
    Context* context;
    uint64_t generation;
    uint32_t table_page;
    uint32_t region;  // first linear page, and how many bytes (0: the whole context)
    uint64_t size;
    TableImage image;
  };

  ShadowWindow& view(bool user) const;
  ShadowWindow& view(const Context& c, bool user) const;
  Context& activate(uint64_t key, bool cr3_load);
  void empty(Context& c);
  void map(bool user, uint32_t linear_page, uint32_t phys_page, bool guest_writable);
  void remember_mapping(bool user, uint32_t linear_page, uint32_t phys_page, bool guest_writable);
  void map_around(uint32_t linear, uint32_t phys_page, bool guest_writable, bool user, uint32_t exempt_page);
  void trace_tables(const Walk& w, uint32_t linear, uint32_t exempt_page);
  void trace(uint64_t table_page, uint32_t region, uint64_t size, uint32_t linear, uint32_t exempt_page);
  // Which entries of a dependent's table its mappings come from: `count`
  // entries of `size` bytes from entry `first`, each mapping `span` bytes
  // from the dependent's region on.
  struct Entries {
    unsigned first = 0, count = 0, size = 0;
    uint64_t span = 0;
  };
  Entries entries_of(const Context& c, const Dependent& d) const;
  // A mapping of `linear` is made from d's table while d awaits settling:
  // its entry is compared as it is now.
  void note_entry_used(const Context& c, Dependent& d, uint32_t linear);
  void depend(Context& c, uint32_t table_page, uint32_t region, uint64_t size);
  TableImage image_of(uint32_t table_page) const;
  void untrace(uint32_t table_page);
  void drop(Context& c, const Dependent& d);
  void drop_linear(Context& c, uint64_t start, uint64_t size);
  bool write_protected(uint32_t phys_page) const {
    return code_[phys_page >> 12] || traced_[phys_page >> 12] || ram_.bus_page(phys_page);
  }
  void set_protection(uint32_t phys_page);
  void catch_up_protection(Context& c);
  void within_budget();

  GuestRam& ram_;
  PagingMode mode_;
  bool a20_open_ = true;
  std::vector<std::unique_ptr<Context>> contexts_;
  Context* current_ = nullptr;
  ShadowWindow* current_views_[2] = {};  // current_'s, for inline lookups
  uint64_t clock_ = 0;  // for least-recently-used eviction
  std::vector<bool> code_;    // by physical page
  std::vector<bool> traced_;  // by physical page: a page table some mapping depends on
  std::vector<uint32_t> watched_;  // linear pages, sorted
  std::unordered_map<uint32_t, std::vector<Ref>> reverse_;             // physical page -> mappings (may be stale)
  std::unordered_map<uint32_t, std::vector<Dependent>> dependents_;   // traced page -> what depends on it
  std::unordered_map<uint32_t, TableImage> images_;                   // traced page -> its entries when traced
  Counters counters_;
  // The pages invlpg found changed most recently (churning), round robin.
  struct Churn {
    uint32_t page = ~0u;
    uint32_t count = 0;
  };
  std::array<Churn, 8> churn_{};
  unsigned churn_next_ = 0;
  // Counts a change of page at invlpg; true when it now churns.
  bool note_churn(uint32_t page);
};

}  // namespace bt86
