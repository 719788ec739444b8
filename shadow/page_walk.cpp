#include "bt86/shadow/page_walk.h"

#include <cstring>

namespace bt86 {

namespace {

constexpr uint64_t kP = 1, kRW = 2, kUS = 4, kA = 0x20, kD = 0x40, kPS = 0x80, kG = 0x100;
constexpr uint64_t kNX = 1ull << 63;
// This CPU's physical address width (CPUID reports no wider, no PSE-36).
constexpr unsigned kMaxPhysBits = 36;
constexpr uint64_t kPaeHighReserved = ((1ull << 63) - 1) & ~((1ull << kMaxPhysBits) - 1);

// A page-table entry in guest RAM, 4 or 8 bytes wide.
struct Entry {
  GuestRam* ram;
  uint64_t addr;
  bool wide;
  bool in_ram() const { return ram->contains(addr, wide ? 8 : 4); }
  uint64_t load() const {
    if (!in_ram()) return 0;
    uint64_t v = 0;
    std::memcpy(&v, ram->host(addr), wide ? 8 : 4);
    return v;
  }
  void set(uint64_t old, uint64_t bits) const {
    if ((old & bits) == bits || !in_ram()) return;
    uint64_t v = old | bits;
    std::memcpy(ram->host(addr), &v, wide ? 8 : 4);
  }
};

// Reserved bits of an entry that maps or points (set ones fault with RSVD).
uint64_t reserved_bits(bool pae, bool nx, bool large) {
  if (!pae) return large ? 0x003FE000u : 0;  // 4 MiB PDE: bits 13-21 without PSE-36
  uint64_t r = kPaeHighReserved | (nx ? 0 : kNX);
  if (large) r |= 0x001FE000u;  // 2 MiB PDE: bits 13-20
  return r;
}

// PDPTE bits 2:1 and 8:5 are reserved too (and NX: PAE PDPTEs have none).
constexpr uint64_t kPdpteReserved = kPaeHighReserved | kNX | 0x1E6;

uint32_t fault_code(bool present, Access access, bool user, bool nx) {
  uint32_t code = present ? pf::kPresent : 0;
  if (access == Access::kWrite) code |= pf::kWrite;
  if (user) code |= pf::kUser;
  if (access == Access::kFetch && nx) code |= pf::kFetch;
  return code;
}

}  // namespace

bool pae_pdptes_valid(GuestRam& ram, uint32_t cr3) {
  for (unsigned i = 0; i < 4; ++i) {
    uint64_t v = Entry{&ram, (cr3 & ~0x1Fu) + i * 8, true}.load();
    if ((v & kP) && (v & kPdpteReserved)) return false;
  }
  return true;
}

Walk walk(GuestRam& ram, const PagingMode& mode, uint32_t linear, Access access, bool user, bool set_bits) {
  Walk w;
  const bool pae = mode.pae();
  const bool nx = mode.nx();
  uint64_t addr_mask = pae ? 0x000FFFFFFFFFF000ull : 0xFFFFF000ull;

  // The levels above the leaf, walked from the top. PAE's PDPT entries
  // carry only P (no R/W, U/S or A at that level for 32-bit PAE).
  uint64_t table;
  if (pae) {
    Entry pdpte{&ram, (mode.cr3 & ~0x1Fu) + ((linear >> 30) & 3) * 8, true};
    uint64_t v = pdpte.load();
    if (!(v & kP)) return w.error_code = fault_code(false, access, user, nx), w;
    table = v & addr_mask;
  } else {
    table = mode.cr3 & 0xFFFFF000u;
  }

  const unsigned dir_shift = pae ? 21 : 22, dir_bits = pae ? 0x1FF : 0x3FF;
  Entry pde{&ram, table + ((linear >> dir_shift) & dir_bits) * (pae ? 8 : 4), pae};
  uint64_t d = pde.load();
  if (!(d & kP)) return w.error_code = fault_code(false, access, user, nx), w;

  bool writable = d & kRW, usr = d & kUS, no_exec = nx && (d & kNX);
  Entry leaf = pde;
  uint64_t l = d;
  uint64_t phys;
  bool large = (d & kPS) && (pae || mode.pse());
  if (d & reserved_bits(pae, nx, large))
    return w.error_code = fault_code(true, access, user, nx) | pf::kReserved, w;
  if (large) {
    uint64_t page = pae ? (d & 0x000FFFFFFFE00000ull) : (d & 0xFFC00000u);
    phys = page | (linear & ((1u << dir_shift) - 1));
  } else {
    Entry pte{&ram, (d & addr_mask) + ((linear >> 12) & (pae ? 0x1FF : 0x3FF)) * (pae ? 8 : 4), pae};
    uint64_t t = pte.load();
    if (!(t & kP)) return w.error_code = fault_code(false, access, user, nx), w;
    if (t & reserved_bits(pae, nx, false))
      return w.error_code = fault_code(true, access, user, nx) | pf::kReserved, w;
    writable = writable && (t & kRW);
    usr = usr && (t & kUS);
    no_exec = no_exec || (nx && (t & kNX));
    leaf = pte;
    l = t;
    phys = (t & addr_mask) | (linear & 0xFFF);
  }

  bool allowed = true;
  if (user && !usr) allowed = false;
  if (access == Access::kWrite && !writable && (user || mode.write_protect())) allowed = false;
  if (access == Access::kFetch && no_exec) allowed = false;
  if (!allowed) return w.error_code = fault_code(true, access, user, nx), w;

  w.accessed = (l & kA) && (large || (d & kA));
  if (set_bits) {
    if (!large) pde.set(d, kA);
    leaf.set(l, access == Access::kWrite ? kA | kD : kA);
  }
  w.ok = true;
  w.phys = phys;
  w.writable = writable || (!user && !mode.write_protect());
  w.dirty = (l & kD) || access == Access::kWrite;
  w.global = (l & kG) && mode.global_pages();
  if (!large) w.table_page = (d & addr_mask);
  if (pae) w.directory_page = table & ~0xFFFull;
  return w;
}

}  // namespace bt86
