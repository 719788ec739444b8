// Guest-physical memory as KVM memory slots, following the chipset's
// routing (MemoryRouting): RAM except the VGA hole; with a firmware, the
// ROM at the top of the 4 GiB space and the BIOS area 0xC0000-0xFFFFF as
// the PAM registers route it; with the A20 gate closed, the MiB above
// 1 MiB as an alias of the first.
//
// What is not RAM both ways becomes a read-only slot (writes exit as MMIO
// to the machine's bus, where BiosArea sends them to RAM or nowhere) or no
// slot at all (reads and writes exit: the ROM side below the image's low
// copy reads all ones). Code runs from read-only slots like any memory.
#pragma once
#include <cstdint>
#include <vector>

#include "bt86/kvm/kvm_vm.h"
#include "bt86/shadow/guest_ram.h"
#include "bt86/vcpu/platform.h"

namespace bt86 {

class KvmMemoryMap {
public:
  // `routing` may be null (nothing moves: RAM only).
  KvmMemoryMap(KvmVm& vm, const GuestRam& ram, const MemoryRouting* routing);
  ~KvmMemoryMap();
  KvmMemoryMap(const KvmMemoryMap&) = delete;
  KvmMemoryMap& operator=(const KvmMemoryMap&) = delete;

  // Brings the slots in line with the routing when it changed since the
  // last call (cheap otherwise). Call before every KVM_RUN; only slots
  // whose range, memory or writability changed are replaced.
  void follow();

  struct Region {
    uint64_t gpa, size;
    const uint8_t* host;
    bool read_only;
    bool operator==(const Region&) const = default;
  };
  // The slots the routing asks for, in address order, adjacent ones merged
  // (exposed for tests).
  std::vector<Region> layout() const;

private:
  void copy_firmware();
  // The first MiB's regions, shifted by `offset` (the A20 alias).
  void add_low_mib(std::vector<Region>& out, uint64_t offset) const;

  KvmVm& vm_;
  const GuestRam& ram_;
  const MemoryRouting* routing_;
  // The firmware image in page-aligned memory of its own (KVM wants page
  // addresses): mapped read-only at the top of 4 GiB, its tail below 1 MiB.
  // Copied when the routing names an image it did not copy yet.
  uint8_t* rom_ = nullptr;
  uint64_t rom_size_ = 0;
  const uint8_t* rom_source_ = nullptr;
  uint64_t mapped_generation_ = ~uint64_t{0};
  struct Slot {
    Region region;
    uint32_t id;
  };
  std::vector<Slot> slots_;
};

}  // namespace bt86
