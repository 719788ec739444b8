// Base for 8-bit ISA devices. A 16- or 32-bit access to such a device is
// split by the PC's bus into byte cycles at consecutive ports; bytes that
// fall past the device's own ports read as the floating bus and are dropped
// on write.
#pragma once
#include <cstdint>

#include "bt86/devices/device.h"

namespace bt86 {

class ByteDevice : public Device {
public:
  explicit ByteDevice(uint64_t ports) : ports_(ports) {}

  uint32_t read(uint64_t offset, unsigned size) final {
    uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) {
      uint32_t byte = offset + i < ports_ ? read8(offset + i) : 0xFF;
      value |= byte << (8 * i);
    }
    return value;
  }
  void write(uint64_t offset, unsigned size, uint32_t value) final {
    for (unsigned i = 0; i < size; ++i)
      if (offset + i < ports_) write8(offset + i, static_cast<uint8_t>(value >> (8 * i)));
  }

  uint64_t ports() const { return ports_; }

protected:
  virtual uint8_t read8(uint64_t offset) = 0;
  virtual void write8(uint64_t offset, uint8_t value) = 0;

private:
  uint64_t ports_;
};

}  // namespace bt86
