// One interface for every device model: a device sees only offsets inside
// the range it was mapped at, never absolute addresses or the backend.
#pragma once
#include <cstdint>
#include <string_view>

namespace bt86 {

class Device {
public:
  virtual ~Device() = default;
  virtual std::string_view name() const = 0;
  // size is 1, 2 or 4 bytes; the value is zero-extended.
  virtual uint32_t read(uint64_t offset, unsigned size) = 0;
  virtual void write(uint64_t offset, unsigned size, uint32_t value) = 0;
};

}  // namespace bt86
