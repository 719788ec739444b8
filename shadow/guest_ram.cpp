#include "bt86/shadow/guest_ram.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace bt86 {

GuestRam::GuestRam(uint64_t size) : size_(size) {
  fd_ = memfd_create("bt86-guest-ram", MFD_CLOEXEC);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "memfd_create");
  if (ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    int err = errno;
    close(fd_);
    throw std::system_error(err, std::generic_category(), "ftruncate guest RAM");
  }
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd_, 0);
  if (p == MAP_FAILED) {
    int err = errno;
    close(fd_);
    throw std::system_error(err, std::generic_category(), "mmap guest RAM");
  }
  base_ = static_cast<uint8_t*>(p);
}

GuestRam::~GuestRam() {
  munmap(base_, size_);
  close(fd_);
}

bool is_ram_address(const GuestRam& ram, uint64_t phys) {
  return ram.contains(phys) && !ram.bus_page(phys);
}

bool reads_ram_address(const GuestRam& ram, uint64_t phys) {
  return ram.contains(phys) && (!ram.bus_page(phys) || ram.read_only_page(phys));
}

}  // namespace bt86
