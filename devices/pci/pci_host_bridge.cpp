#include "bt86/devices/pci_host_bridge.h"

namespace bt86 {

// Everything not defined here (BARs, expansion ROM, subsystem IDs, the
// capabilities pointer, interrupt line and pin, the device-specific range
// 0x40-0xFF) stays a read-only 0.
PciHostBridge::PciHostBridge() {
  space_.define(pci::kVendorId, 2, kVendorId);
  space_.define(pci::kDeviceId, 2, kDeviceId);
  space_.define(pci::kCommand, 2, kCommandReset, kCommandWritable);
  space_.define(pci::kStatus, 2, kStatusReset, 0, kStatusClearOnOne);
  space_.define(pci::kRevisionId, 1, kRevision);
  space_.define(pci::kClassCode, 3, kClass);
  // The master latency timer counts in units of 8 clocks: its low bits are 0.
  space_.define(pci::kLatencyTimer, 1, 0x00, 0xF8);
  space_.define(pci::kHeaderType, 1, 0x00);  // type 0, single function
  space_.define(kPam0, 1, 0x00, 0x30);  // its low nibble is reserved
  for (unsigned i = 1; i < kPamRegisters; ++i) space_.define(kPam0 + i, 1, 0x00, 0x33);
}

unsigned PciHostBridge::pam_routing(uint32_t phys) const {
  if (phys >= 0xF0000) return space_.read(kPam0, 1) >> 4 & 3;
  const unsigned segment = (phys - 0xC0000) >> 14;  // 16 KiB each, two per register
  return space_.read(kPam0 + 1 + segment / 2, 1) >> (segment % 2 * 4) & 3;
}

}  // namespace bt86
