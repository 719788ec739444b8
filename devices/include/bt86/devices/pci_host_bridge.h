// The host bridge at 00:00.0: the function through which the CPU reaches
// memory and bus 0. It presents itself as Intel's 82441FX (440FX PMC), the
// identity guests have long seen on virtual PCs (see devices/README.md),
// but models only its type 0 header and the PAM registers (0x59-0x5F:
// whether each part of the BIOS area 0xC0000-0xFFFFF is read from RAM and
// written to RAM, or goes to the ROM; the machine routes memory after
// them, see on_pam); no BARs, no capabilities, no other chipset registers
// (SMRAM, DRAM rows read 0 and ignore writes).
#pragma once
#include <functional>

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

  // PAM0 (0x59) holds 0xF0000-0xFFFFF in its high nibble; PAM1-PAM6 each
  // two 16 KiB segments from 0xC0000 up, low nibble first. In a nibble,
  // bit 0 routes reads to RAM and bit 1 writes (SeaBIOS sets 0x33, QEMU's
  // and the chipset's reset value is 0: everything from the ROM side).
  static constexpr uint8_t kPam0 = 0x59;
  static constexpr unsigned kPamRegisters = 7;
  static constexpr unsigned kPamRead = 1, kPamWrite = 2;
  // The routing bits (kPamRead | kPamWrite) of the BIOS area's byte phys.
  unsigned pam_routing(uint32_t phys) const;

  PciHostBridge();
  // Called after a write to a PAM register.
  std::function<void()> on_pam;

  std::string_view name() const override { return "pci-host-bridge"; }
  uint32_t config_read(uint8_t offset, unsigned size) override { return space_.read(offset, size); }
  void config_write(uint8_t offset, unsigned size, uint32_t value) override {
    space_.write(offset, size, value);
    if (offset < kPam0 + kPamRegisters && offset + size > kPam0 && on_pam) on_pam();
  }

  PciConfigSpace& space() { return space_; }

private:
  PciConfigSpace space_;
};

}  // namespace bt86
