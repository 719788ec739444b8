#include "kvm_memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

#include "bt86/devices/pci_host_bridge.h"

namespace bt86 {

namespace {
constexpr uint64_t kPage = 4096, k1M = 0x100000, k4G = uint64_t{1} << 32;
// The legacy VGA window: not RAM, so accesses there exit as MMIO.
constexpr uint64_t kHoleStart = 0xA0000, kHoleEnd = 0xC0000;

// Appends, merging with the last region when both continue each other.
void append(std::vector<KvmMemoryMap::Region>& out, const KvmMemoryMap::Region& r) {
  if (r.size == 0) return;
  if (!out.empty()) {
    KvmMemoryMap::Region& last = out.back();
    if (last.gpa + last.size == r.gpa && last.host + last.size == r.host && last.read_only == r.read_only) {
      last.size += r.size;
      return;
    }
  }
  out.push_back(r);
}
}  // namespace

KvmMemoryMap::KvmMemoryMap(KvmVm& vm, const GuestRam& ram, const MemoryRouting* routing)
    : vm_(vm), ram_(ram), routing_(routing) {}

KvmMemoryMap::~KvmMemoryMap() {
  if (rom_) ::munmap(rom_, rom_size_);
}

void KvmMemoryMap::copy_firmware() {
  const std::span<const uint8_t> image = routing_ ? routing_->firmware : std::span<const uint8_t>{};
  if (image.data() == rom_source_ && image.size() == rom_size_) return;
  if (rom_) ::munmap(rom_, rom_size_);
  rom_ = nullptr;
  rom_size_ = 0;
  rom_source_ = image.data();
  if (image.empty()) return;
  void* p = ::mmap(nullptr, image.size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw KvmError("cannot allocate memory for the firmware image's KVM slot");
  rom_ = static_cast<uint8_t*>(p);
  rom_size_ = image.size();
  std::memcpy(rom_, image.data(), image.size());
}

void KvmMemoryMap::add_low_mib(std::vector<Region>& out, uint64_t offset) const {
  auto ram_region = [&](uint64_t start, uint64_t end, bool read_only) {
    end = std::min(end, ram_.size());
    if (end > start) append(out, {start + offset, end - start, ram_.host(start), read_only});
  };
  ram_region(0, kHoleStart, false);
  if (!rom_) {
    ram_region(kHoleEnd, k1M, false);
    return;
  }
  // The ROM side: the image's last 128 KiB (or all of it) end at 1 MiB.
  const uint64_t low_copy = k1M - std::min<uint64_t>(rom_size_, 128 * 1024);
  for (uint64_t page = kHoleEnd; page < k1M; page += kPage) {
    const unsigned pam = routing_->bios_area(static_cast<uint32_t>(page));
    if (pam & PciHostBridge::kPamRead)
      ram_region(page, page + kPage, !(pam & PciHostBridge::kPamWrite));
    else if (page >= low_copy)  // reads from the ROM; writes exit to BiosArea
      append(out, {page + offset, kPage, rom_ + rom_size_ - (k1M - page), true});
    // else: nothing below the low copy (reads exit and return all ones)
  }
}

std::vector<KvmMemoryMap::Region> KvmMemoryMap::layout() const {
  std::vector<Region> out;
  add_low_mib(out, 0);
  uint64_t high = k1M;
  if (routing_ && !routing_->a20_open) {
    // Address bit 20 reads as 0: the MiB above 1 MiB is the first again.
    // Only that MiB: real-mode and unpaged v86 addresses end at 0x10FFEF.
    add_low_mib(out, k1M);
    high = 2 * k1M;
  }
  if (ram_.size() > high) append(out, {high, ram_.size() - high, ram_.host(high), false});
  if (rom_) append(out, {k4G - rom_size_, rom_size_, rom_, true});
  return out;
}

void KvmMemoryMap::follow() {
  const uint64_t generation = routing_ ? routing_->generation : 0;
  if (generation == mapped_generation_) return;
  copy_firmware();
  const std::vector<Region> wanted = layout();
  // Drop the slots no longer wanted first: new ones may overlap them.
  std::vector<Slot> kept;
  for (const Slot& s : slots_) {
    if (std::find(wanted.begin(), wanted.end(), s.region) != wanted.end()) kept.push_back(s);
    else vm_.set_memory_slot(s.id, {s.region.gpa, 0, nullptr, false});
  }
  slots_ = std::move(kept);
  for (const Region& r : wanted) {
    if (std::any_of(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.region == r; })) continue;
    uint32_t id = 0;
    while (std::any_of(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.id == id; })) ++id;
    vm_.set_memory_slot(id, {r.gpa, r.size, r.host, r.read_only});
    slots_.push_back({r, id});
  }
  mapped_generation_ = generation;
}

}  // namespace bt86
