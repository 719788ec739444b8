#include "bt86/devices/pci_function.h"

namespace bt86 {

uint32_t PciConfigSpace::read(unsigned offset, unsigned size) const {
  uint32_t value = 0;
  for (unsigned i = 0; i < size && offset + i < kSize; ++i)
    value |= uint32_t{value_[offset + i]} << (8 * i);
  return value;
}

void PciConfigSpace::write(unsigned offset, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size && offset + i < kSize; ++i) {
    unsigned at = offset + i;
    auto in = static_cast<uint8_t>(value >> (8 * i));
    uint8_t kept = value_[at] & ~writable_[at] & ~(clear_on_one_[at] & in);
    value_[at] = static_cast<uint8_t>(kept | (in & writable_[at]));
  }
}

void PciConfigSpace::define(unsigned offset, unsigned size, uint32_t reset, uint32_t writable,
                            uint32_t clear_on_one) {
  for (unsigned i = 0; i < size && offset + i < kSize; ++i) {
    value_[offset + i] = static_cast<uint8_t>(reset >> (8 * i));
    writable_[offset + i] = static_cast<uint8_t>(writable >> (8 * i));
    clear_on_one_[offset + i] = static_cast<uint8_t>(clear_on_one >> (8 * i));
  }
}

void PciConfigSpace::set_bits(unsigned offset, unsigned size, uint32_t bits) {
  for (unsigned i = 0; i < size && offset + i < kSize; ++i)
    value_[offset + i] |= static_cast<uint8_t>(bits >> (8 * i));
}

}  // namespace bt86
