// A disk image file on the host as a BlockBackend: raw sectors read and
// written with pread/pwrite at their offsets, FLUSH CACHE made durable with
// fsync. With a snapshot, the guest's writes go to an overlay (an unlinked
// temporary file holding the sectors written, a bitmap saying which) and
// vanish at exit; the image is opened read-only and never changes.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "bt86/devices/block_backend.h"

namespace bt86 {

class DiskImageError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class DiskImage final : public BlockBackend {
public:
  enum class Media {
    kDisk,   // 512-byte sectors, writable unless the file is not
    kCdrom,  // 2048-byte sectors, always read-only
  };
  static constexpr unsigned kDiskSector = 512, kCdSector = 2048;

  // Throws DiskImageError, naming the file, when it is missing, unreadable,
  // not a regular file, empty, or not a whole number of sectors.
  DiskImage(const std::string& path, Media media, bool snapshot);
  ~DiskImage() override;
  DiskImage(const DiskImage&) = delete;
  DiskImage& operator=(const DiskImage&) = delete;

  uint64_t size() const override { return size_; }
  bool read_only() const override { return read_only_; }
  bool read(uint64_t offset, std::span<uint8_t> out) override;
  bool write(uint64_t offset, std::span<const uint8_t> in) override;
  bool flush() override;

  const std::string& path() const { return path_; }
  // Why the image is read-only when it was not asked to be ("" otherwise).
  const std::string& read_only_reason() const { return read_only_reason_; }

private:
  bool in_overlay(uint64_t sector) const { return overlay_map_[sector / 64] >> (sector % 64) & 1; }
  bool copy_up(uint64_t sector);  // a base sector into the overlay, before a partial write
  bool io_failed(const char* what, uint64_t offset);

  std::string path_;
  int fd_ = -1;
  int overlay_ = -1;  // the snapshot's temporary file, or -1
  std::vector<uint64_t> overlay_map_;  // a bit per 512-byte sector: it lives in the overlay
  uint64_t size_ = 0;
  bool read_only_ = false;
  std::string read_only_reason_;
  unsigned warnings_ = 0;
};

}  // namespace bt86
