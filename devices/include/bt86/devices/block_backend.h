// What a disk device model stores its sectors in: a fixed-size array of
// bytes on the host (an image file, an overlay over one, a test's buffer).
// The model checks every request against size() before it gets here; the
// backend reports host I/O errors, and the model turns them into the
// guest's error status.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace bt86 {

class BlockBackend {
public:
  virtual ~BlockBackend() = default;
  virtual uint64_t size() const = 0;
  // Writes fail (the guest gets an error) when the backend is read-only.
  virtual bool read_only() const = 0;
  // Each returns false on a host I/O error (after saying so on stderr).
  virtual bool read(uint64_t offset, std::span<uint8_t> out) = 0;
  virtual bool write(uint64_t offset, std::span<const uint8_t> in) = 0;
  // Makes every write so far durable (the guest's FLUSH CACHE).
  virtual bool flush() = 0;
};

// In host memory, for tests and small fixed media.
class MemoryBackend final : public BlockBackend {
public:
  explicit MemoryBackend(uint64_t size, bool read_only = false) : bytes_(size), read_only_(read_only) {}
  uint64_t size() const override { return bytes_.size(); }
  bool read_only() const override { return read_only_; }
  bool read(uint64_t offset, std::span<uint8_t> out) override;
  bool write(uint64_t offset, std::span<const uint8_t> in) override;
  bool flush() override {
    ++flushes;
    return !fail;
  }

  std::vector<uint8_t> bytes_;
  bool read_only_;
  bool fail = false;  // every access fails as a host I/O error would
  unsigned flushes = 0;
};

}  // namespace bt86
