#include "bt86/shadow/address_space.h"

namespace bt86 {

namespace {
constexpr uint64_t kVgaHoleStart = 0xA0000, kVgaHoleEnd = 0xC0000;
constexpr uint32_t kPageMask = ~0xFFFu;
}  // namespace

AddressSpace::AddressSpace(GuestRam& ram) : ram_(ram), code_(ram.size() >> 12) {
  views_[0] = std::make_unique<ShadowWindow>(ram);
  views_[1] = std::make_unique<ShadowWindow>(ram);
}

bool AddressSpace::is_ram(uint64_t phys) const {
  return ram_.contains(phys) && !(phys >= kVgaHoleStart && phys < kVgaHoleEnd);
}

void AddressSpace::set_mode(const PagingMode& m) {
  // Bits of CR0/CR4/EFER that change how linear addresses translate.
  constexpr uint32_t cr0_bits = (1u << 31) | (1u << 16);
  constexpr uint32_t cr4_bits = (1u << 4) | (1u << 5) | (1u << 7);
  bool changed = (m.cr0 & cr0_bits) != (mode_.cr0 & cr0_bits) || (m.cr4 & cr4_bits) != (mode_.cr4 & cr4_bits) ||
                 (m.efer & (1u << 11)) != (mode_.efer & (1u << 11));
  bool new_cr3 = m.enabled() && m.cr3 != mode_.cr3;
  mode_ = m;
  if (changed) flush_all();
  else if (new_cr3) flush_non_global();
}

void AddressSpace::flush_all() {
  views_[0]->unmap_all();
  views_[1]->unmap_all();
  reverse_.clear();
}

void AddressSpace::flush_non_global() {
  views_[0]->unmap_non_global();
  views_[1]->unmap_non_global();
}

void AddressSpace::flush_page(uint32_t linear) {
  views_[0]->unmap(linear & kPageMask);
  views_[1]->unmap(linear & kPageMask);
}

const ShadowWindow* AddressSpace::window_of(uintptr_t host_addr, bool& user) const {
  for (int u = 0; u < 2; ++u)
    if (views_[u]->classify(host_addr) != ShadowWindow::Region::kOutside) {
      user = u;
      return views_[u].get();
    }
  return nullptr;
}

Walk AddressSpace::translate(uint32_t linear, Access access, bool user) {
  if (mode_.enabled()) return walk(ram_, mode_, linear, access, user);
  Walk w;
  w.ok = true;
  w.phys = linear;
  w.writable = w.dirty = true;
  return w;
}

void AddressSpace::map(bool user, uint32_t linear_page, uint32_t phys_page, bool guest_writable, bool global) {
  ShadowWindow& v = view(user);
  if (v.mapped_pages() >= kMappingBudget) {
    v.unmap_all();
    ++budget_flushes_;
  }
  v.map(linear_page, phys_page, guest_writable && !code_[phys_page >> 12], global && (mode_.cr4 & (1u << 7)));
  std::vector<Ref>& refs = reverse_[phys_page];
  for (Ref& r : refs)
    if (r.user == user && r.linear_page == linear_page) {
      r.guest_writable = guest_writable;
      return;
    }
  refs.push_back({user, linear_page, guest_writable});
}

AddressSpace::Fill AddressSpace::fill(uint32_t linear, bool write, bool user) {
  Walk w = translate(linear, write ? Access::kWrite : Access::kRead, user);
  if (!w.ok) return {Outcome::kPageFault, 0, w.error_code};
  if (!is_ram(w.phys)) return {Outcome::kMmio, w.phys};
  auto phys_page = static_cast<uint32_t>(w.phys) & kPageMask;
  if (write && code_[phys_page >> 12]) return {Outcome::kCodeWrite, w.phys};
  // Read-only until the guest entry is dirty, so the first write comes
  // back here and sets D (the dirty upgrade).
  const ShadowWindow::Mapping* old = view(user).mapping(linear & kPageMask);
  bool upgrade = old && !old->writable;
  map(user, linear & kPageMask, phys_page, w.writable && w.dirty, w.global);
  if (!upgrade) map_neighbours(linear, user);
  return {Outcome::kMapped, w.phys, 0, upgrade};
}

// Fault-around: also map the other pages of the faulting page's 64 KiB
// region that the guest tables already mark present and accessed (so no A
// bit is set behind the guest's back), as a TLB may hold them. A refill
// after a CR3 switch then costs one host fault per region, not per page.
void AddressSpace::map_neighbours(uint32_t linear, bool user) {
  const ShadowWindow& v = view(user);
  uint32_t region = linear & ~0xFFFFu;
  for (uint32_t page = region; page - region < 0x10000; page += 0x1000) {
    if (page == (linear & kPageMask) || v.mapping(page)) continue;
    Walk w = mode_.enabled() ? walk(ram_, mode_, page, Access::kRead, user, false) : translate(page, Access::kRead, user);
    if (!w.ok || (mode_.enabled() && !w.accessed) || !is_ram(w.phys)) continue;
    map(user, page, static_cast<uint32_t>(w.phys) & kPageMask, w.writable && w.dirty, w.global);
  }
}

void AddressSpace::protect_code(uint32_t phys) {
  uint32_t page = phys & kPageMask;
  if (!is_ram(page) || code_[page >> 12]) return;
  code_[page >> 12] = true;
  auto it = reverse_.find(page);
  if (it == reverse_.end()) return;
  std::vector<Ref>& refs = it->second;
  // Drop references whose mapping has since gone or now maps another page.
  std::erase_if(refs, [&](const Ref& r) {
    const ShadowWindow::Mapping* m = view(r.user).mapping(r.linear_page);
    return !m || m->phys_page != page;
  });
  for (const Ref& r : refs) view(r.user).set_writable(r.linear_page, false);
}

void AddressSpace::unprotect_code(uint32_t phys) {
  uint32_t page = phys & kPageMask;
  if (!is_ram(page) || !code_[page >> 12]) return;
  code_[page >> 12] = false;
  auto it = reverse_.find(page);
  if (it == reverse_.end()) return;
  for (const Ref& r : it->second) {
    const ShadowWindow::Mapping* m = view(r.user).mapping(r.linear_page);
    if (m && m->phys_page == page) view(r.user).set_writable(r.linear_page, r.guest_writable);
  }
}

}  // namespace bt86
