// An address space of devices (port I/O or MMIO): a map from disjoint,
// non-empty ranges to devices. Accesses outside every range read as all
// ones and are otherwise ignored, as on a PC's floating bus. A device only
// ever sees accesses inside its range: one that straddles a range's edge
// is split into bytes, each going to its owner or to the floating bus.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

#include "bt86/devices/device.h"

namespace bt86 {

class BusError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Bus {
public:
  explicit Bus(std::string name) : name_(std::move(name)) {}

  // Throws BusError for an empty range or one that overlaps a mapped range.
  void map(uint64_t base, uint64_t length, Device& device);
  // Removes device's range at base (a device that moves, like the local
  // APIC); false when the device is not mapped there.
  bool unmap(uint64_t base, const Device& device);

  struct Hit {
    Device* device;
    uint64_t offset;
  };
  // The device covering addr, or {nullptr, 0}.
  Hit find(uint64_t addr) const;

  uint32_t read(uint64_t addr, unsigned size);
  void write(uint64_t addr, unsigned size, uint32_t value);

  uint64_t unclaimed_accesses() const { return unclaimed_; }

  // Sees every access as the bus was asked for it (a read with the value it
  // returned), e.g. for tracing; empty: none.
  using Observer = std::function<void(bool write, uint64_t addr, unsigned size, uint32_t value)>;
  void set_observer(Observer observer) { observer_ = std::move(observer); }

private:
  uint32_t dispatch_read(uint64_t addr, unsigned size);
  void dispatch_write(uint64_t addr, unsigned size, uint32_t value);
  bool claims_any(uint64_t addr, unsigned size) const;
  bool inside_one_range(uint64_t addr, unsigned size) const;

  struct Range {
    uint64_t length;
    Device* device;
  };
  std::string name_;
  std::map<uint64_t, Range> ranges_;  // keyed by base
  uint64_t unclaimed_ = 0;
  Observer observer_;
};

}  // namespace bt86
