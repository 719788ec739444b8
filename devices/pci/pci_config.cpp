#include "bt86/devices/pci_config.h"

#include <fmt/format.h>

#include <stdexcept>

namespace bt86 {

namespace {
constexpr uint32_t all_ones(unsigned size) { return size >= 4 ? 0xFFFF'FFFFu : (1u << (8 * size)) - 1; }
constexpr unsigned kDataOffset = 4;
}  // namespace

void PciConfigMechanism1::attach(unsigned device, unsigned function, PciFunction& f) {
  if (device > 31 || function > 7)
    throw std::invalid_argument(fmt::format("pci: no slot {:02x}.{}", device, function));
  PciFunction*& slot = bus0_[device << 3 | function];
  if (slot)
    throw std::invalid_argument(fmt::format("pci: 00:{:02x}.{} already holds {}", device,
                                            function, slot->name()));
  slot = &f;
}

PciFunction* PciConfigMechanism1::selected() const {
  if (!(address_ & kEnable)) return nullptr;
  if ((address_ >> 16 & 0xFF) != 0) return nullptr;  // no bridges: buses > 0 are empty
  return bus0_[address_ >> 8 & 0xFF];
}

// CONFIG_ADDRESS is decoded only for dword accesses at 0xCF8. Byte and word
// cycles at 0xCF8-0xCFB are ordinary I/O that nothing here claims (on Intel
// chipsets 0xCF9 is the reset control register, not modelled): they read as
// the floating bus and are dropped. This is what tells Linux's type 2 probe
// (byte writes of 0 to 0xCF8/0xCFA, read back expecting 0) that mechanism
// #2 is absent.
uint32_t PciConfigMechanism1::read(uint64_t offset, unsigned size) {
  if (offset >= kDataOffset) return read_data(static_cast<unsigned>(offset - kDataOffset), size);
  if (offset == 0 && size == 4) return address_;
  return all_ones(size);
}

void PciConfigMechanism1::write(uint64_t offset, unsigned size, uint32_t value) {
  if (offset >= kDataOffset)
    write_data(static_cast<unsigned>(offset - kDataOffset), size, value);
  else if (offset == 0 && size == 4)
    address_ = value & kAddressBits;
}

// The byte lanes of CONFIG_DATA pick bytes of the selected dword. An access
// running past 0xCFF (a word at 0xCFF) gets ones for the bytes outside.
uint32_t PciConfigMechanism1::read_data(unsigned lane, unsigned size) {
  PciFunction* f = selected();
  if (!f) return all_ones(size);
  auto reg = static_cast<uint8_t>((address_ & 0xFC) + lane);
  if (lane + size <= 4) return f->config_read(reg, size);
  uint32_t value = 0;
  for (unsigned i = 0; i < size; ++i) {
    uint32_t byte = lane + i < 4 ? f->config_read(static_cast<uint8_t>(reg + i), 1) : 0xFF;
    value |= byte << (8 * i);
  }
  return value;
}

void PciConfigMechanism1::write_data(unsigned lane, unsigned size, uint32_t value) {
  PciFunction* f = selected();
  if (!f) return;
  auto reg = static_cast<uint8_t>((address_ & 0xFC) + lane);
  if (lane + size <= 4) {
    f->config_write(reg, size, value);
    return;
  }
  for (unsigned i = 0; lane + i < 4; ++i)
    f->config_write(static_cast<uint8_t>(reg + i), 1, value >> (8 * i) & 0xFF);
}

}  // namespace bt86
