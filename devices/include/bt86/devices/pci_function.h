// One PCI function's configuration space as seen through a host bridge:
// the interface a config mechanism talks to, and the 256-byte register file
// most functions can use for it.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace bt86 {

// Offsets in the predefined (type 0) header.
namespace pci {
constexpr uint8_t kVendorId = 0x00;
constexpr uint8_t kDeviceId = 0x02;
constexpr uint8_t kCommand = 0x04;
constexpr uint8_t kStatus = 0x06;
constexpr uint8_t kRevisionId = 0x08;
constexpr uint8_t kClassCode = 0x09;  // programming interface, subclass, base class
constexpr uint8_t kCacheLineSize = 0x0C;
constexpr uint8_t kLatencyTimer = 0x0D;
constexpr uint8_t kHeaderType = 0x0E;
constexpr uint8_t kBist = 0x0F;
constexpr uint8_t kBar0 = 0x10;  // six BARs, 0x10-0x27
constexpr uint8_t kSubsystemVendorId = 0x2C;
constexpr uint8_t kSubsystemId = 0x2E;
constexpr uint8_t kExpansionRom = 0x30;
constexpr uint8_t kCapabilities = 0x34;
constexpr uint8_t kInterruptLine = 0x3C;
constexpr uint8_t kInterruptPin = 0x3D;
}  // namespace pci

class PciFunction {
public:
  virtual ~PciFunction() = default;
  virtual std::string_view name() const = 0;
  // offset + size <= 256; size is 1, 2 or 4 (3 never happens). Little endian.
  virtual uint32_t config_read(uint8_t offset, unsigned size) = 0;
  virtual void config_write(uint8_t offset, unsigned size, uint32_t value) = 0;
};

// A register file with, per bit, one of three behaviours: read-only (the
// default: identification, hardwired bits, everything never defined),
// writable, or write-one-to-clear (error flags in the status register).
// A byte lane the guest does not write is left alone.
class PciConfigSpace {
public:
  static constexpr unsigned kSize = 256;

  uint32_t read(unsigned offset, unsigned size) const;
  // The guest's write: writable bits take the value, W1C bits written as 1
  // clear, everything else keeps its value.
  void write(unsigned offset, unsigned size, uint32_t value);

  // The model's own side: reset values and which bits the guest may change.
  void define(unsigned offset, unsigned size, uint32_t reset, uint32_t writable = 0,
              uint32_t clear_on_one = 0);
  // The hardware setting bits a guest can read (e.g. a status error flag).
  void set_bits(unsigned offset, unsigned size, uint32_t bits);

private:
  std::array<uint8_t, kSize> value_{};
  std::array<uint8_t, kSize> writable_{};
  std::array<uint8_t, kSize> clear_on_one_{};
};

}  // namespace bt86
