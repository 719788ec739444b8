#include "bt86/shadow/address_space.h"

#include <algorithm>
#include <cstring>

namespace bt86 {

namespace {
constexpr uint32_t kPageMask = ~0xFFFu;
constexpr uint64_t kUnpaged = 1ull << 32;  // the context key with paging off (never a CR3 value)

constexpr uint64_t kGiB = 1ull << 30;

// A traced table's registration in one context: the table page, the region
// it maps, and which level it is (regions are page aligned): the whole
// context, a PAE directory's 1 GiB, or a leaf table's region.
uint64_t trace_key(uint32_t table_page, uint32_t region, uint64_t size) {
  return uint64_t{table_page} << 32 | region | (size == 0 ? 1 : size == kGiB ? 2 : 0);
}

// Whether mappings made from a guest table entry as it was (`before`) are
// stale now that it reads `now`. The A and D bits that walks set since
// change nothing; a guest that clears them expects them set again, so that
// does.
bool entry_changed(uint64_t before, uint64_t now) {
  constexpr uint64_t kAccessedDirty = 0x60;
  return ((before ^ now) & ~kAccessedDirty) || (before & ~now & kAccessedDirty);
}
}  // namespace

struct AddressSpace::Context {
  uint64_t key = 0;  // the CR3 value, or kUnpaged
  bool live = false;
  uint64_t generation = 0;  // bumped when emptied: older Dependents are stale
  uint64_t last_used = 0;
  std::unique_ptr<ShadowWindow> views[2];
  std::unordered_set<uint64_t> traced;  // trace_key()s registered in this generation
  // What depends on tables written since this context was last entered
  // (or that could not be traced): settled at its next activation, as a
  // TLB flush would, not at the write.
  std::vector<Dependent> deferred;
  // Physical pages whose protection changed while this context was not
  // current: its mappings of them are set right at its next activation.
  std::unordered_set<uint32_t> reprotect;
};

AddressSpace::AddressSpace(GuestRam& ram) : ram_(ram), code_(ram.size() >> 12), traced_(ram.size() >> 12) {
  for (size_t i = 0; i < kContexts; ++i) {
    auto c = std::make_unique<Context>();
    c->views[0] = std::make_unique<ShadowWindow>(ram);
    c->views[1] = std::make_unique<ShadowWindow>(ram);
    contexts_.push_back(std::move(c));
  }
  activate(kUnpaged, true);
}

AddressSpace::~AddressSpace() = default;

ShadowWindow& AddressSpace::view(bool user) const { return view(*current_, user); }
ShadowWindow& AddressSpace::view(const Context& c, bool user) const { return *c.views[user ? 1 : 0]; }

bool AddressSpace::reads_ram(uint64_t phys) const { return reads_ram_address(ram_, phys); }

bool AddressSpace::is_ram(uint64_t phys) const {
  return is_ram_address(ram_, phys);
}

size_t AddressSpace::host_mappings() const {
  size_t n = 0;
  for (const auto& c : contexts_) n += c->views[0]->host_mappings() + c->views[1]->host_mappings();
  return n;
}

void AddressSpace::set_mode(const PagingMode& m, bool cr3_load) {
  // Bits of CR0/CR4/EFER that change how linear addresses translate.
  constexpr uint32_t cr0_bits = (1u << 31) | (1u << 16);
  constexpr uint32_t cr4_bits = (1u << 4) | (1u << 5);
  bool changed = (m.cr0 & cr0_bits) != (mode_.cr0 & cr0_bits) || (m.cr4 & cr4_bits) != (mode_.cr4 & cr4_bits) ||
                 (m.efer & (1u << 11)) != (mode_.efer & (1u << 11));
  // A PGE toggle flushes the whole TLB, like a CR3 load flushes the non-global part.
  const bool tlb_flush = cr3_load || ((m.cr4 ^ mode_.cr4) & (1u << 7));
  mode_ = m;
  if (changed) flush_all();
  activate(m.enabled() ? m.cr3 : kUnpaged, tlb_flush);
}

AddressSpace::Context& AddressSpace::activate(uint64_t key, bool cr3_load) {
  Context* found = nullptr;
  for (auto& c : contexts_)
    if (c->live && c->key == key) found = c.get();
  if (found && found != current_) {
    ++counters_.context_switches;
    ++counters_.context_hits;
  }
  if (!found) {
    // A free context, else the least recently used one.
    for (auto& c : contexts_)
      if (!found || (!c->live && found->live) || (c->live == found->live && c->last_used < found->last_used))
        found = c.get();
    if (found->live) {
      empty(*found);
      ++counters_.context_evictions;
    }
    found->key = key;
    found->live = true;
    ++counters_.context_switches;
  }
  found->last_used = ++clock_;
  const bool switched = found != current_;
  current_ = found;
  current_views_[0] = found->views[0].get();
  current_views_[1] = found->views[1].get();
  // Entering a context, or reloading CR3, is a TLB flush: drop what may be stale.
  if (!switched && !cr3_load) return *found;
  if (switched) catch_up_protection(*found);
  std::vector<Dependent> stale = std::move(found->deferred);
  found->deferred.clear();
  for (const Dependent& d : stale) drop(*found, d);
  return *found;
}

void AddressSpace::empty(Context& c) {
  c.views[0]->unmap_all();
  c.views[1]->unmap_all();
  c.traced.clear();
  c.deferred.clear();
  c.reprotect.clear();
  ++c.generation;
}

void AddressSpace::flush_all() {
  for (auto& c : contexts_) {
    if (c->live) empty(*c);
    c->live = c.get() == current_;
  }
  reverse_.clear();
  dependents_.clear();
  images_.clear();
  std::fill(traced_.begin(), traced_.end(), false);
}

bool AddressSpace::set_a20(bool open) {
  if (open == a20_open_) return false;
  a20_open_ = open;
  flush_all();
  return true;
}

void AddressSpace::set_watched_pages(std::vector<uint32_t> pages) {
  watched_ = std::move(pages);
  flush_all();
}

// invlpg: a view that mapped the page maps it again from the entry as it is
// now, when that allows a read (a page table entry just rewritten, the
// common reason for invlpg, is used next), setting A as the SDM lets a
// processor do speculatively; never D, so a first write still comes back
// here to set it. Otherwise, or when the page churns, it is only parked.
void AddressSpace::flush_page(uint32_t linear) {
  const uint32_t page = linear & kPageMask;
  for (bool user : {false, true}) {
    const ShadowWindow::Mapping* m = view(user).mapping(page);
    if (!m) continue;
    Walk w;
    if (mode_.enabled() && !watched(page)) w = translate(page, Access::kRead, user);
    const bool churns = (!w.ok || (w.phys & kPageMask) != m->phys_page) && note_churn(page);
    if (churns || !w.ok || !is_ram(w.phys)) {
      view(user).unmap(page);
      continue;
    }
    trace_tables(w, page, ~0u);
    map(user, page, static_cast<uint32_t>(w.phys) & kPageMask, w.writable && w.dirty);  // over the old one
  }
}

bool AddressSpace::note_churn(uint32_t page) {
  for (Churn& c : churn_)
    if (c.page == page) return ++c.count >= kChurnLimit;
  churn_[churn_next_] = {page, 1};
  churn_next_ = (churn_next_ + 1) % churn_.size();
  return kChurnLimit <= 1;
}

bool AddressSpace::churning(uint32_t linear) const {
  const uint32_t page = linear & kPageMask;
  for (const Churn& c : churn_)
    if (c.page == page) return c.count >= kChurnLimit;
  return false;
}

uint8_t* AddressSpace::direct_page(uint64_t phys, bool write) const {
  if (!is_ram(phys) || (write && write_protected(static_cast<uint32_t>(phys) & kPageMask))) return nullptr;
  return ram_.host(phys & ~uint64_t{0xFFF});  // SAFETY: RAM, so inside the memfd's mapping
}

const ShadowWindow* AddressSpace::window_of(uintptr_t host_addr, bool& user) const {
  for (int u = 0; u < 2; ++u)
    if (view(u).classify(host_addr) != ShadowWindow::Region::kOutside) {
      user = u;
      return &view(u);
    }
  return nullptr;
}

Walk AddressSpace::translate(uint32_t linear, Access access, bool user, bool set_bits) {
  Walk w;
  if (mode_.enabled()) {
    w = walk(ram_, mode_, linear, access, user, set_bits);
  } else {
    w.ok = true;
    w.phys = linear;
    w.writable = w.dirty = true;
  }
  if (!a20_open_) w.phys &= ~uint64_t{1u << 20};
  return w;
}

// Empties whole contexts, least recently used first (the current one last),
// until the mappings fit the budget again.
void AddressSpace::within_budget() {
  while (host_mappings() >= kMappingBudget) {
    Context* victim = nullptr;
    for (auto& c : contexts_)
      if (c->live && c.get() != current_ && (!victim || c->last_used < victim->last_used)) victim = c.get();
    ++counters_.budget_flushes;
    if (!victim) return empty(*current_);
    empty(*victim);
    victim->live = false;
  }
}

void AddressSpace::map(bool user, uint32_t linear_page, uint32_t phys_page, bool guest_writable) {
  view(user).map(linear_page, phys_page, guest_writable && !write_protected(phys_page));
  remember_mapping(user, linear_page, phys_page, guest_writable);
}

// The reverse map: which contexts map phys_page where.
void AddressSpace::remember_mapping(bool user, uint32_t linear_page, uint32_t phys_page, bool guest_writable) {
  std::vector<Ref>& refs = reverse_[phys_page];
  for (Ref& r : refs)
    if (r.context == current_ && r.user == user && r.linear_page == linear_page) {
      r.guest_writable = guest_writable;
      return;
    }
  refs.push_back({current_, user, linear_page, guest_writable});
}

AddressSpace::Fill AddressSpace::fill(uint32_t linear, bool write, bool user) {
  within_budget();
  Walk w = translate(linear, write ? Access::kWrite : Access::kRead, user);
  if (!w.ok) return {Outcome::kPageFault, 0, w.error_code};
  if (watched(linear)) return {Outcome::kWatched, w.phys};
  if (write ? !is_ram(w.phys) : !reads_ram(w.phys)) return {Outcome::kMmio, w.phys};
  auto phys_page = static_cast<uint32_t>(w.phys) & kPageMask;
  if (write && code_[phys_page >> 12]) return {Outcome::kCodeWrite, w.phys};
  // A write to a traced page table: drop what depends on it, then let it happen.
  bool table_write = write && traced_[phys_page >> 12];
  if (table_write) {
    untrace(phys_page);
    ++counters_.table_writes;
  }
  // Read-only until the guest entry is dirty, so the first write comes
  // back here and sets D (the dirty upgrade).
  const ShadowWindow::Mapping* old = view(user).mapping(linear & kPageMask);
  bool upgrade = old && !old->writable;
  // A write to a page table must not trace that very page again while it
  // maps it, or the write could never complete.
  const uint32_t exempt = write ? phys_page : ~0u;
  if (mode_.enabled()) trace_tables(w, linear, exempt);
  if (upgrade) map(user, linear & kPageMask, phys_page, w.writable && w.dirty);
  else map_around(linear, phys_page, w.writable && w.dirty, user, exempt);
  return {Outcome::kMapped, w.phys, 0, upgrade, table_write};
}

// Maps the faulting page and, fault-around, the other pages of its 64 KiB
// region that the guest tables already mark present and accessed (so no A
// bit is set behind the guest's back), as a TLB may hold them. A refill
// then costs one host fault per region, not per page, and pages that follow
// each other in both address spaces (a kernel's direct map) share one mmap.
void AddressSpace::map_around(uint32_t linear, uint32_t phys_page, bool guest_writable, bool user,
                              uint32_t exempt_page) {
  struct Page {
    uint32_t linear, phys;
    bool guest_writable;
  };
  Page pages[16];
  unsigned n = 0;
  ShadowWindow& v = view(user);
  uint32_t region = linear & ~0xFFFFu;
  for (uint32_t page = region; page - region < 0x10000; page += 0x1000) {
    if (page == (linear & kPageMask)) {
      pages[n++] = {page, phys_page, guest_writable};
      continue;
    }
    if (v.mapping(page) || watched(page)) continue;
    Walk w = translate(page, Access::kRead, user, /*set_bits=*/false);
    if (!w.ok || (mode_.enabled() && !w.accessed) || !is_ram(w.phys)) continue;
    if (mode_.enabled()) trace_tables(w, page, exempt_page);
    pages[n++] = {page, static_cast<uint32_t>(w.phys) & kPageMask, w.writable && w.dirty};
  }
  // Host protections are decided only now: tracing a later page's tables
  // may have write-protected an earlier one.
  for (unsigned i = 0; i < n;) {
    bool writable = pages[i].guest_writable && !write_protected(pages[i].phys);
    unsigned end = i + 1;
    while (end < n && pages[end].linear == pages[end - 1].linear + 0x1000 &&
           pages[end].phys == pages[end - 1].phys + 0x1000 &&
           (pages[end].guest_writable && !write_protected(pages[end].phys)) == writable)
      ++end;
    v.map_run(pages[i].linear, pages[i].phys, end - i, writable);
    for (; i < end; ++i) remember_mapping(user, pages[i].linear, pages[i].phys, pages[i].guest_writable);
  }
}

// Registers the tables a mapping of `linear` was read from: the CR3 page
// for the whole context, PAE's page directory for its 1 GiB, the leaf page
// table for the 4 MiB (PAE: 2 MiB) region it maps.
void AddressSpace::trace_tables(const Walk& w, uint32_t linear, uint32_t exempt_page) {
  trace(mode_.cr3 & kPageMask, 0, 0, linear, exempt_page);
  if (w.directory_page != Walk::kNone)
    trace(w.directory_page, linear & ~static_cast<uint32_t>(kGiB - 1), kGiB, linear, exempt_page);
  if (w.table_page != Walk::kNone) {
    uint64_t span = mode_.pae() ? 2u << 20 : 4u << 20;
    trace(w.table_page, linear & ~static_cast<uint32_t>(span - 1), span, linear, exempt_page);
  }
}

void AddressSpace::trace(uint64_t table_page, uint32_t region, uint64_t size, uint32_t linear, uint32_t exempt_page) {
  if (!is_ram(table_page)) return;  // tables outside RAM read as not present and cannot be written
  auto page = static_cast<uint32_t>(table_page);
  // Written since this context was entered: it stays untraced for the rest
  // of the burst, and the context settles it at its next entry. A mapping
  // made from it meanwhile comes from its entry as it is now, so that is
  // what the entry is compared against then.
  for (Dependent& d : current_->deferred)
    if (d.table_page == page && d.region == region && d.size == size && d.generation == current_->generation) {
      note_entry_used(*current_, d, linear);
      return;
    }
  if (page == exempt_page) {
    // The table is being written through a mapping this fill makes, so it
    // cannot be traced: the context compares its entries as they are now
    // when it is next entered, as after a traced write.
    current_->deferred.push_back({current_, current_->generation, page, region, size, image_of(page)});
    return;
  }
  depend(*current_, page, region, size);
}

AddressSpace::Entries AddressSpace::entries_of(const Context& c, const Dependent& d) const {
  Entries e;
  e.size = mode_.pae() ? 8 : 4;
  e.count = 4096 / e.size;
  e.span = (d.size ? d.size : kGiB << 2) / e.count;
  if (d.size == 0 && mode_.pae()) {  // the CR3 page: the context's four PDPTEs in it
    e.first = static_cast<unsigned>(c.key & 0xFE0) / e.size;
    e.count = 4;
    e.span = kGiB;
  }
  return e;
}

void AddressSpace::note_entry_used(const Context& c, Dependent& d, uint32_t linear) {
  const Entries e = entries_of(c, d);
  const unsigned offset = (e.first + static_cast<unsigned>((linear - d.region) / e.span)) * e.size;
  const uint8_t* now = ram_.host(d.table_page) + offset;
  if (std::memcmp(d.image->data() + offset, now, e.size) == 0) return;
  auto own = std::make_shared<std::array<uint8_t, 4096>>(*d.image);  // the image is shared: copy on write
  std::memcpy(own->data() + offset, now, e.size);
  d.image = std::move(own);
}

AddressSpace::TableImage AddressSpace::image_of(uint32_t page) const {
  auto image = std::make_shared<std::array<uint8_t, 4096>>();
  std::memcpy(image->data(), ram_.host(page), image->size());
  return image;
}

// Registers that c's mappings of [region, region + size) depend on the
// entries the table page holds now, and traces it if it was not.
void AddressSpace::depend(Context& c, uint32_t page, uint32_t region, uint64_t size) {
  if (!c.traced.insert(trace_key(page, region, size)).second) return;
  if (!traced_[page >> 12]) {
    images_[page] = image_of(page);
    traced_[page >> 12] = true;
    set_protection(page);
  }
  dependents_[page].push_back({&c, c.generation, page, region, size, images_[page]});
}

// Each dependent is settled when its context is next entered: the current
// context may keep what it has, as a TLB may until the next CR3 load (or
// invlpg, which drops its page), and dropping now could drop the other page
// of the very instruction that writes here; another context's windows are
// not used before then. Later fills through the page trace it again.
void AddressSpace::untrace(uint32_t table_page) {
  traced_[table_page >> 12] = false;
  images_.erase(table_page);
  auto it = dependents_.find(table_page);
  if (it != dependents_.end()) {
    std::vector<Dependent> deps = std::move(it->second);
    dependents_.erase(it);
    for (Dependent& d : deps) {
      Context& c = *d.context;
      if (!c.live || c.generation != d.generation) continue;
      c.traced.erase(trace_key(d.table_page, d.region, d.size));
      c.deferred.push_back(std::move(d));
    }
  }
  set_protection(table_page);
}

// Drops the mappings of one dependent that came from entries changed since
// it was traced, if they are still those it describes; the rest depend on
// the table as it is now.
void AddressSpace::drop(Context& c, const Dependent& d) {
  if (!c.live || c.generation != d.generation) return;
  const Entries e = entries_of(c, d);
  const unsigned first = e.first, count = e.count, entry = e.size;
  const uint64_t span = e.span;
  const uint8_t* now = ram_.host(d.table_page);
  const uint8_t* before = d.image->data();
  uint64_t run = 0, run_size = 0;  // neighbouring changed entries: one unmap
  for (unsigned i = 0; i < count; ++i) {
    // Most of a table is unchanged: skip 64 bytes at a time where it is.
    const unsigned offset = (first + i) * entry;
    if (offset % 64 == 0 && i + 64 / entry <= count && std::memcmp(before + offset, now + offset, 64) == 0) {
      i += 64 / entry - 1;
      continue;
    }
    uint64_t was = 0, is = 0;
    std::memcpy(&was, before + offset, entry);
    std::memcpy(&is, now + offset, entry);
    if (!entry_changed(was, is)) continue;
    const uint64_t at = d.region + i * span;
    if (run_size && run + run_size == at) {
      run_size += span;
      continue;
    }
    if (run_size) drop_linear(c, run, run_size);
    run = at;
    run_size = span;
  }
  if (run_size) drop_linear(c, run, run_size);
  if (c.generation == d.generation) depend(c, d.table_page, d.region, d.size);
}

void AddressSpace::drop_linear(Context& c, uint64_t start, uint64_t size) {
  if (size >= (kGiB << 2)) return empty(c);
  c.views[0]->unmap_range(static_cast<uint32_t>(start), size);
  c.views[1]->unmap_range(static_cast<uint32_t>(start), size);
}

void AddressSpace::note_write(uint32_t phys) {
  uint32_t page = phys & kPageMask;
  if (!is_ram(page) || !traced_[page >> 12]) return;
  untrace(page);
  ++counters_.table_writes;
}

// Gives every mapping of the physical page the protection it needs now:
// read-only while it holds code or a traced table, else what the guest allows.
void AddressSpace::set_protection(uint32_t phys_page) {
  auto it = reverse_.find(phys_page);
  if (it == reverse_.end()) return;
  std::vector<Ref>& refs = it->second;
  // Drop references whose mapping has since gone or now maps another page.
  std::erase_if(refs, [&](const Ref& r) {
    const ShadowWindow::Mapping* m = view(*r.context, r.user).mapping(r.linear_page);
    return !m || m->phys_page != phys_page;
  });
  bool protect = write_protected(phys_page);
  for (const Ref& r : refs) {
    // Only the current context's windows are in use: another context's
    // mappings follow when it is next entered (a table traced and written
    // again meanwhile then costs them nothing).
    if (r.context == current_) view(*r.context, r.user).set_writable(r.linear_page, r.guest_writable && !protect);
    else r.context->reprotect.insert(phys_page);
  }
  if (refs.empty()) reverse_.erase(it);
}

// Gives c's mappings of the pages whose protection changed while c was not
// current the protection they need now.
void AddressSpace::catch_up_protection(Context& c) {
  for (uint32_t phys_page : c.reprotect) {
    auto it = reverse_.find(phys_page);
    if (it == reverse_.end()) continue;
    const bool protect = write_protected(phys_page);
    for (const Ref& r : it->second) {
      if (r.context != &c) continue;
      const ShadowWindow::Mapping* m = view(c, r.user).mapping(r.linear_page);
      if (m && m->phys_page == phys_page) view(c, r.user).set_writable(r.linear_page, r.guest_writable && !protect);
    }
  }
  c.reprotect.clear();
}

void AddressSpace::protect_code(uint32_t phys) {
  uint32_t page = phys & kPageMask;
  if (!is_ram(page) || code_[page >> 12]) return;
  code_[page >> 12] = true;
  set_protection(page);
}

void AddressSpace::unprotect_code(uint32_t phys) {
  uint32_t page = phys & kPageMask;
  if (!is_ram(page) || !code_[page >> 12]) return;
  code_[page >> 12] = false;
  set_protection(page);
}

}  // namespace bt86
