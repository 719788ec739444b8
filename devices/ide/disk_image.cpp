#include "bt86/devices/disk_image.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>

namespace bt86 {

namespace {
// pread/pwrite until done: a short count that is not an error (a signal,
// a pipe-like file) is retried; reaching the end of the file is an error.
template <typename Fn>
bool whole(Fn io, uint8_t* p, size_t len, uint64_t offset) {
  while (len) {
    ssize_t n = io(p, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;  // the file shrank under us
      return false;
    }
    p += n, len -= static_cast<size_t>(n), offset += static_cast<uint64_t>(n);
  }
  return true;
}

int temporary_file() {
  const char* dir = std::getenv("TMPDIR");
  int fd = ::open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) fd = ::open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  return fd;
}
}  // namespace

DiskImage::DiskImage(const std::string& path, Media media, bool snapshot) : path_(path) {
  const char* what = media == Media::kCdrom ? "CD-ROM image" : "disk image";
  const unsigned sector = media == Media::kCdrom ? kCdSector : kDiskSector;
  const bool want_write = media == Media::kDisk && !snapshot;
  if (want_write) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) {
      read_only_reason_ = std::strerror(errno);
      fd_ = -1;
    }
  }
  if (fd_ < 0) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    read_only_ = !snapshot;
  }
  if (fd_ < 0) throw DiskImageError(fmt::format("cannot open {} '{}': {}", what, path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw DiskImageError(fmt::format("{} '{}' is not a regular file", what, path));
  }
  size_ = static_cast<uint64_t>(st.st_size);
  std::string wrong;
  if (size_ == 0) wrong = fmt::format("{} '{}' is empty", what, path);
  else if (size_ % sector)
    wrong = fmt::format("{} '{}' is {} bytes, not a whole number of {}-byte sectors", what, path, size_, sector);
  if (wrong.empty()) {
    // A read proves the file is readable (a directory or a FIFO would not get here).
    uint8_t probe[1];
    if (!whole([this](uint8_t* p, size_t n, off_t o) { return ::pread(fd_, p, n, o); }, probe, 1, 0))
      wrong = fmt::format("cannot read {} '{}': {}", what, path, std::strerror(errno));
  }
  if (wrong.empty() && snapshot && media == Media::kDisk) {
    overlay_ = temporary_file();
    if (overlay_ < 0) wrong = fmt::format("--snapshot: cannot create a temporary file: {}", std::strerror(errno));
    else overlay_map_.assign((size_ / kDiskSector + 63) / 64, 0);
  }
  if (!wrong.empty()) {
    ::close(fd_);
    throw DiskImageError(wrong);
  }
}

DiskImage::~DiskImage() {
  if (overlay_ >= 0) ::close(overlay_);
  ::close(fd_);
}

bool DiskImage::io_failed(const char* what, uint64_t offset) {
  // Say the first few; a guest retrying a bad sector must not flood the terminal.
  if (warnings_ < 8) {
    ++warnings_;
    std::fprintf(stderr, "bt86: warning: %s '%s' at byte %llu failed: %s (the guest gets a disk error)\n", what,
                 path_.c_str(), static_cast<unsigned long long>(offset), std::strerror(errno));
  }
  return false;
}

bool DiskImage::read(uint64_t offset, std::span<uint8_t> out) {
  uint8_t* p = out.data();
  uint64_t left = out.size();
  while (left) {
    // A run of bytes that all come from the same file.
    const uint64_t sector = offset / kDiskSector;
    const bool overlay = overlay_ >= 0 && in_overlay(sector);
    uint64_t run = std::min<uint64_t>(left, kDiskSector - offset % kDiskSector);
    while (run < left && overlay_ >= 0 && in_overlay((offset + run) / kDiskSector) == overlay)
      run += std::min<uint64_t>(left - run, kDiskSector);
    if (overlay_ < 0) run = left;
    const int fd = overlay ? overlay_ : fd_;
    if (!whole([fd](uint8_t* b, size_t n, off_t o) { return ::pread(fd, b, n, o); }, p, run, offset))
      return io_failed("read of", offset);
    p += run, offset += run, left -= run;
  }
  return true;
}

bool DiskImage::copy_up(uint64_t sector) {
  uint8_t buf[kDiskSector];
  const uint64_t at = sector * kDiskSector;
  if (!whole([this](uint8_t* b, size_t n, off_t o) { return ::pread(fd_, b, n, o); }, buf, sizeof buf, at) ||
      !whole([this](uint8_t* b, size_t n, off_t o) { return ::pwrite(overlay_, b, n, o); }, buf, sizeof buf, at))
    return false;
  overlay_map_[sector / 64] |= uint64_t{1} << (sector % 64);
  return true;
}

bool DiskImage::write(uint64_t offset, std::span<const uint8_t> in) {
  if (read_only_) {
    errno = EROFS;
    return io_failed("write to", offset);
  }
  auto* p = const_cast<uint8_t*>(in.data());  // pwrite only reads it
  if (overlay_ < 0) {
    if (!whole([this](uint8_t* b, size_t n, off_t o) { return ::pwrite(fd_, b, n, o); }, p, in.size(), offset))
      return io_failed("write to", offset);
    return true;
  }
  // Sectors the write covers only partly keep the rest of their bytes.
  const uint64_t first = offset / kDiskSector, last = (offset + in.size() - 1) / kDiskSector;
  if ((offset % kDiskSector && !in_overlay(first) && !copy_up(first)) ||
      ((offset + in.size()) % kDiskSector && !in_overlay(last) && !copy_up(last)))
    return io_failed("snapshot copy of", offset);
  if (!whole([this](uint8_t* b, size_t n, off_t o) { return ::pwrite(overlay_, b, n, o); }, p, in.size(), offset))
    return io_failed("snapshot write at", offset);
  for (uint64_t s = first; s <= last; ++s) overlay_map_[s / 64] |= uint64_t{1} << (s % 64);
  return true;
}

bool DiskImage::flush() {
  if (read_only_ || overlay_ >= 0) return true;  // nothing of the image's to make durable
  if (::fsync(fd_) == 0) return true;
  return io_failed("fsync of", 0);
}

bool MemoryBackend::read(uint64_t offset, std::span<uint8_t> out) {
  if (fail) return false;
  std::memcpy(out.data(), bytes_.data() + offset, out.size());
  return true;
}

bool MemoryBackend::write(uint64_t offset, std::span<const uint8_t> in) {
  if (fail || read_only_) return false;
  std::memcpy(bytes_.data() + offset, in.data(), in.size());
  return true;
}

}  // namespace bt86
