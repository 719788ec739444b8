// Guest RAM: one memfd, mapped once linearly for devices, loaders and the
// translator's instruction fetch. Shadow windows map views of the same fd.
#pragma once
#include <cstddef>
#include <cstdint>
#include <bitset>
#include <span>

namespace bt86 {

class GuestRam {
public:
  explicit GuestRam(uint64_t size);  // throws std::system_error
  ~GuestRam();
  GuestRam(const GuestRam&) = delete;
  GuestRam& operator=(const GuestRam&) = delete;

  uint64_t size() const { return size_; }
  int fd() const { return fd_; }

  bool contains(uint64_t gpa, uint64_t len = 1) const { return gpa < size_ && len <= size_ - gpa; }
  // SAFETY: callers check contains() first; the linear mapping covers
  // exactly [0, size), so any in-range gpa is a valid host address.
  uint8_t* host(uint64_t gpa) const { return base_ + gpa; }
  std::span<uint8_t> span(uint64_t gpa, uint64_t len) const { return {base_ + gpa, len}; }

  // The PC's legacy area below 1 MiB, whose pages the chipset or a device
  // may route away from RAM: the VGA window (0xA0000-0xBFFFF), which
  // belongs to the MMIO bus unless a VGA in text mode lets the CPU write
  // its text buffer as plain memory, and the BIOS area (0xC0000-0xFFFFF),
  // which the chipset's PAM registers route. A bus page is not plain RAM
  // to the CPU: its accesses go to the MMIO bus, where a device answers;
  // one that reads RAM still (PAM's read-only setting: writes go to the
  // bus) is RAM to reads and instruction fetch.
  static constexpr uint64_t kVgaWindowStart = 0xA0000, kBiosAreaStart = 0xC0000, kBiosAreaEnd = 0x100000;
  void set_bus_page(uint64_t gpa, bool on) { route_page(gpa, !on, !on); }
  void route_page(uint64_t gpa, bool reads_ram, bool writes_ram) {
    bus_pages_.set((gpa - kVgaWindowStart) >> 12, !(reads_ram && writes_ram));
    read_only_pages_.set((gpa - kVgaWindowStart) >> 12, reads_ram && !writes_ram);
  }
  bool bus_page(uint64_t gpa) const { return legacy(gpa) && bus_pages_.test((gpa - kVgaWindowStart) >> 12); }
  bool read_only_page(uint64_t gpa) const {
    return legacy(gpa) && read_only_pages_.test((gpa - kVgaWindowStart) >> 12);
  }

private:
  static constexpr size_t kLegacyPages = (kBiosAreaEnd - kVgaWindowStart) >> 12;
  // Bit i: page kVgaWindowStart + i * 4096. The VGA window starts on the bus.
  std::bitset<kLegacyPages> bus_pages_{(1ull << ((kBiosAreaStart - kVgaWindowStart) >> 12)) - 1};
  std::bitset<kLegacyPages> read_only_pages_;
  static bool legacy(uint64_t gpa) { return gpa >= kVgaWindowStart && gpa < kBiosAreaEnd; }
  uint64_t size_;
  int fd_ = -1;
  uint8_t* base_ = nullptr;
};

// Whether a CPU access to guest-physical phys reaches RAM: inside it and
// not a legacy-area page routed to the bus (GuestRam::bus_page).
bool is_ram_address(const GuestRam& ram, uint64_t phys);
// Whether a CPU read (or instruction fetch) at phys reaches RAM: RAM, or a
// legacy page routed read-only (GuestRam::read_only_page).
bool reads_ram_address(const GuestRam& ram, uint64_t phys);

}  // namespace bt86
