#include "bt86/devices/piix3_isa_bridge.h"

namespace bt86 {

// Reset values and writable bits from the 82371SB datasheet (section 2.2).
Piix3IsaBridge::Piix3IsaBridge() {
  space_.define(pci::kVendorId, 2, kVendorId);
  space_.define(pci::kDeviceId, 2, kDeviceId);
  space_.define(pci::kCommand, 2, 0x0007, 0x0008);  // I/O, memory, bus master always on; special cycles
  space_.define(pci::kStatus, 2, 0x0200, 0, 0x3800);  // medium DEVSEL; aborts write-one-to-clear
  space_.define(pci::kClassCode, 3, kClass);
  space_.define(pci::kHeaderType, 1, 0x80);  // multi-function
  space_.define(0x4C, 1, 0x4D, 0xFF);          // IORT: ISA I/O recovery timer
  space_.define(0x4E, 2, 0x0003, 0x07FF);      // XBCS: X-bus chip select
  for (unsigned i = 0; i < 4; ++i) space_.define(kPirqRoute + i, 1, kRouteDisabled, 0x8F);
  space_.define(0x69, 1, 0x02, 0xFE);          // TOM: top of memory
  space_.define(0x6A, 2, 0x0000, 0x00FF);      // MSTAT: miscellaneous status
  space_.define(0x70, 1, 0x80, 0xEF);          // MBIRQ0: motherboard device IRQ route
  space_.define(0x76, 2, 0x0C0C, 0x8F8F);      // MBDMA0-1
  space_.define(0x82, 1, 0x00, 0x0F);          // DLC: deterministic latency control
}

int Piix3IsaBridge::pirq_route(unsigned line) const {
  const uint32_t r = space_.read(kPirqRoute + (line & 3), 1);
  return r & kRouteDisabled ? -1 : static_cast<int>(r & 0x0F);
}

}  // namespace bt86
