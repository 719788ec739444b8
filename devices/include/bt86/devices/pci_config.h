// PCI configuration mechanism #1: the 32-bit CONFIG_ADDRESS register at
// 0xCF8 and the CONFIG_DATA window at 0xCFC-0xCFF, as a PC's host bridge
// decodes them (PCI Local Bus Specification 3.2.2.3.2). Only bus 0 exists (no
// PCI-to-PCI bridges); functions are attached to it by device and function
// number. Mapped as one device over ports 0xCF8-0xCFF.
#pragma once
#include <array>
#include <cstdint>

#include "bt86/devices/device.h"
#include "bt86/devices/pci_function.h"

namespace bt86 {

class PciConfigMechanism1 final : public Device {
public:
  static constexpr uint16_t kPort = 0xCF8;  // CONFIG_ADDRESS; CONFIG_DATA at +4
  static constexpr uint16_t kPorts = 8;

  // Bits of CONFIG_ADDRESS. 30:24 are reserved and 1:0 select a type 0
  // cycle; both read back as 0.
  static constexpr uint32_t kEnable = 1u << 31;
  static constexpr uint32_t kAddressBits = kEnable | 0x00FF'FFFC;
  static constexpr uint32_t address(unsigned bus, unsigned device, unsigned function,
                                    unsigned reg) {
    return kEnable | (bus & 0xFF) << 16 | (device & 0x1F) << 11 | (function & 7) << 8 |
           (reg & 0xFC);
  }

  std::string_view name() const override { return "pci-conf1"; }
  uint32_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint32_t value) override;

  // Puts function on bus 0 at device:function. Throws std::invalid_argument
  // for a slot out of range or already taken.
  void attach(unsigned device, unsigned function, PciFunction& f);

  uint32_t config_address() const { return address_; }

private:
  PciFunction* selected() const;
  uint32_t read_data(unsigned lane, unsigned size);
  void write_data(unsigned lane, unsigned size, uint32_t value);

  uint32_t address_ = 0;
  std::array<PciFunction*, 256> bus0_{};  // by devfn = device << 3 | function
};

}  // namespace bt86
