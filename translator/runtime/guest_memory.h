// Guest memory seen from C++ (helpers, bounce blocks, the run loop), by
// linear address through the guest page tables: RAM, else the MMIO bus
// (which answers all ones where no device is: open bus). An access past
// 0xFFFFFFFF wraps around to 0, each part translated on its own, as the
// CPU does. Writes to RAM that holds translated code invalidate it.
//
// It also keeps what derives from the translation of linear addresses in
// step with it, as a TLB flush would: the shadow address space's mode, the
// shadow descriptor tables (where GDT/LDT/IDT entries live) and the
// indirect-branch lookups.
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "bt86/devices/bus.h"
#include "bt86/segmentation/descriptor.h"
#include "bt86/segmentation/descriptor_cache.h"
#include "bt86/shadow/address_space.h"
#include "bt86/shadow/guest_ram.h"
#include "bt86/shadow/page_walk.h"
#include "cache/code_cache.h"
#include "cache/lookup_cache.h"

namespace bt86 {

// A #PF for the guest: the linear address (CR2) and the error code.
struct PageFault {
  uint32_t linear;
  uint32_t error_code;
};

class GuestMemory {
public:
  GuestMemory(GuestRam& ram, Bus& mmio, AddressSpace& aspace, CodeCache& cache, LookupCache& lookup)
      : ram_(ram), mmio_(mmio), aspace_(aspace), cache_(cache), lookup_(lookup) {}

  // `size` bytes at linear (at most a page), for an access at CPL 3's
  // privilege when `user`. Every page is translated first: on a fault
  // nothing was accessed.
  std::optional<PageFault> read(uint32_t linear, void* dst, unsigned size, bool user) {
    return access(linear, dst, size, false, user);
  }
  std::optional<PageFault> write(uint32_t linear, const void* src, unsigned size, bool user) {
    return access(linear, const_cast<void*>(src), size, true, user);
  }
  // Where `size` bytes at linear lie in one page the current context maps
  // for this access (a TLB hit: plain RAM, neither translated code nor a
  // traced table): their host address; else null.
  uint8_t* direct(uint32_t linear, unsigned size, bool write, bool user);
  // A GDT, LDT or IDT entry at linear, read as the processor does (a
  // supervisor access), through the shadow descriptor tables.
  std::optional<PageFault> read_table_entry(uint32_t linear, Descriptor& out);
  // For reports: the RAM bytes at linear (a supervisor read, devices left
  // alone) up to the first that is unmapped or not RAM; how many were read.
  size_t peek(uint32_t linear, std::span<uint8_t> out);
  // The fault of an instruction fetch at linear, if it still faults.
  std::optional<PageFault> fetch_fault(uint32_t linear, bool user);

  // PAE: whether the four PDPTEs at cr3 may be loaded (page_walk.h).
  bool pae_pdptes_valid(uint32_t cr3) const { return bt86::pae_pdptes_valid(ram_, cr3); }
  // A guest page holding translations is written: they go, and the page
  // becomes writable until code from it is translated again.
  void invalidate_code(uint32_t phys);
  // A device wrote guest-physical [phys, phys + len) (DMA): translations
  // from it go, traced tables in it are re-read. True when code went.
  bool physical_written(uint64_t phys, uint64_t len);
  // New CR0/CR3/CR4/EFER (a CR3 write flushes the non-global TLB even when
  // the value is the same).
  void set_paging(const PagingMode& mode, bool cr3_written);
  void invlpg(uint32_t linear, uint32_t code_base);  // code_base: CS.base, which the indirect tables' EIPs are offsets from
  // Another backend ran the guest: nothing derived from its memory is kept.
  void forget_all();

private:
  std::optional<PageFault> access(uint32_t linear, void* buf, unsigned size, bool write, bool user);

  GuestRam& ram_;
  Bus& mmio_;
  AddressSpace& aspace_;
  CodeCache& cache_;
  LookupCache& lookup_;
  DescriptorCache descriptors_;
};

}  // namespace bt86
