#include "bt86/devices/bus.h"

#include <fmt/format.h>

namespace bt86 {

void Bus::map(uint64_t base, uint64_t length, Device& device) {
  if (length == 0)
    throw BusError(fmt::format("{}: empty range for {} at {:#x}", name_, device.name(), base));
  if (base + length < base)
    throw BusError(fmt::format("{}: range for {} wraps around", name_, device.name()));
  auto next = ranges_.lower_bound(base);
  if (next != ranges_.end() && next->first < base + length)
    throw BusError(fmt::format("{}: {} at {:#x}+{:#x} overlaps {} at {:#x}", name_, device.name(),
                               base, length, next->second.device->name(), next->first));
  if (next != ranges_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second.length > base)
      throw BusError(fmt::format("{}: {} at {:#x}+{:#x} overlaps {} at {:#x}", name_,
                                 device.name(), base, length, prev->second.device->name(),
                                 prev->first));
  }
  ranges_.emplace(base, Range{length, &device});
}

bool Bus::unmap(uint64_t base, const Device& device) {
  auto it = ranges_.find(base);
  if (it == ranges_.end() || it->second.device != &device) return false;
  ranges_.erase(it);
  return true;
}

Bus::Hit Bus::find(uint64_t addr) const {
  auto it = ranges_.upper_bound(addr);
  if (it == ranges_.begin()) return {nullptr, 0};
  --it;
  if (addr - it->first >= it->second.length) return {nullptr, 0};
  return {it->second.device, addr - it->first};
}

bool Bus::claims_any(uint64_t addr, unsigned size) const {
  for (unsigned i = 0; i < size; ++i)
    if (find(addr + i).device) return true;
  return false;
}

bool Bus::inside_one_range(uint64_t addr, unsigned size) const {
  auto it = ranges_.upper_bound(addr);
  if (it == ranges_.begin()) return false;
  --it;
  return addr - it->first + size <= it->second.length;
}

uint32_t Bus::read(uint64_t addr, unsigned size) {
  const uint32_t value = dispatch_read(addr, size);
  if (observer_) observer_(false, addr, size, value);
  return value;
}

void Bus::write(uint64_t addr, unsigned size, uint32_t value) {
  if (observer_) observer_(true, addr, size, value);
  dispatch_write(addr, size, value);
}

uint32_t Bus::dispatch_read(uint64_t addr, unsigned size) {
  if (inside_one_range(addr, size)) {
    Hit hit = find(addr);
    return hit.device->read(hit.offset, size);
  }
  if (!claims_any(addr, size)) {
    ++unclaimed_;
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
  }
  // The access straddles the edge of a range: each byte goes to whoever
  // owns it (all ones where nobody does), as the byte lanes of a split
  // bus cycle would.
  uint32_t value = 0;
  for (unsigned i = 0; i < size; ++i) value |= (dispatch_read(addr + i, 1) & 0xFFu) << (8 * i);
  return value;
}

void Bus::dispatch_write(uint64_t addr, unsigned size, uint32_t value) {
  if (inside_one_range(addr, size)) {
    Hit hit = find(addr);
    return hit.device->write(hit.offset, size, value);
  }
  if (!claims_any(addr, size)) {
    ++unclaimed_;
    return;
  }
  for (unsigned i = 0; i < size; ++i) dispatch_write(addr + i, 1, value >> (8 * i) & 0xFF);
}

}  // namespace bt86
