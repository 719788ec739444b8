// The host bridge at 00:00.0: the function through which the CPU reaches
// memory and bus 0. It presents itself as Intel's 82441FX (440FX PMC), the
// identity guests have long seen on virtual PCs (see devices/README.md),
// but models only its type 0 header: no BARs, no capabilities, no
// chipset registers (PAM, SMRAM, DRAM rows read 0 and ignore writes).
#pragma once
#include "bt86/devices/pci_function.h"

namespace bt86 {

class PciHostBridge final : public PciFunction {
public:
  static constexpr uint16_t kVendorId = 0x8086;  // Intel
  static constexpr uint16_t kDeviceId = 0x1237;  // 82441FX PMC
  static constexpr uint8_t kRevision = 0x02;
  static constexpr uint32_t kClass = 0x060000;  // bridge, host, no programming interface
  static constexpr unsigned kDevice = 0, kFunction = 0;

  // Command: memory space and bus master are always on (the bridge forwards
  // every CPU memory cycle and masters them on PCI), I/O space is never
  // claimed; only parity error response and SERR# enable can be changed.
  static constexpr uint16_t kCommandReset = 0x0006;
  static constexpr uint16_t kCommandWritable = 0x0140;
  // Status: fast back-to-back capable, medium DEVSEL timing; the error
  // flags (parity, system error, aborts) are write-one-to-clear.
  static constexpr uint16_t kStatusReset = 0x0280;
  static constexpr uint16_t kStatusClearOnOne = 0xF900;

  PciHostBridge();

  std::string_view name() const override { return "pci-host-bridge"; }
  uint32_t config_read(uint8_t offset, unsigned size) override { return space_.read(offset, size); }
  void config_write(uint8_t offset, unsigned size, uint32_t value) override {
    space_.write(offset, size, value);
  }

  PciConfigSpace& space() { return space_; }

private:
  PciConfigSpace space_;
};

}  // namespace bt86
