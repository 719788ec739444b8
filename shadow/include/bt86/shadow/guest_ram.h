// Guest RAM: one memfd, mapped once linearly for devices, loaders and the
// translator's instruction fetch. Shadow windows map views of the same fd.
#pragma once
#include <cstddef>
#include <cstdint>
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

  // The BIOS area (0xC0000-0xFFFFF), which the chipset's PAM registers
  // route: a page set here is not plain RAM to the CPU (its accesses go to
  // the MMIO bus, where the machine's BIOS-area device answers them).
  static constexpr uint64_t kBiosAreaStart = 0xC0000, kBiosAreaEnd = 0x100000;
  void set_bus_page(uint64_t gpa, bool on) {
    const uint64_t bit = uint64_t{1} << ((gpa - kBiosAreaStart) >> 12);
    bus_pages_ = on ? bus_pages_ | bit : bus_pages_ & ~bit;
  }
  bool bus_page(uint64_t gpa) const {
    return gpa >= kBiosAreaStart && gpa < kBiosAreaEnd && (bus_pages_ >> ((gpa - kBiosAreaStart) >> 12) & 1);
  }

private:
  uint64_t bus_pages_ = 0;  // bit i: page kBiosAreaStart + i * 4096
  uint64_t size_;
  int fd_ = -1;
  uint8_t* base_ = nullptr;
};

// Whether a CPU access to guest-physical phys reaches RAM: inside it,
// outside the PC's legacy VGA window (0xA0000-0xBFFFF), which belongs to
// the MMIO bus, and not a BIOS-area page the chipset routes elsewhere.
bool is_ram_address(const GuestRam& ram, uint64_t phys);

}  // namespace bt86
