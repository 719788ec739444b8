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

private:
  uint64_t size_;
  int fd_ = -1;
  uint8_t* base_ = nullptr;
};

// Whether a CPU access to guest-physical phys reaches RAM: inside it and
// outside the PC's legacy VGA window (0xA0000-0xBFFFF), which belongs to
// the MMIO bus.
bool is_ram_address(const GuestRam& ram, uint64_t phys);

}  // namespace bt86
