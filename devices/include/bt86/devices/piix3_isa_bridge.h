// The PIIX3's PCI-to-ISA bridge at 00:01.0 (Intel 82371SB, 8086:7000):
// function 0 of the multi-function device whose function 1 is the IDE
// controller (a PCI scan looks for function 1 only when function 0 exists
// and says it has several). Modelled: its header and the registers
// firmware programs: the PIRQ route controls (0x60-0x63, which ISA IRQ
// each PCI interrupt line A-D goes to; bit 7 disables the routing), the
// ISA I/O recovery timer, the X-bus chip select, the top-of-memory, the
// motherboard IRQ and DMA routes and the deterministic latency control,
// each a plain register with its datasheet reset value. No PCI device of
// this machine raises a PCI interrupt yet, so the routes steer nothing;
// the level/edge choice lives in the ELCR (Pic8259Pair).
#pragma once
#include <cstdint>

#include "bt86/devices/pci_function.h"

namespace bt86 {

class Piix3IsaBridge final : public PciFunction {
public:
  static constexpr uint16_t kVendorId = 0x8086, kDeviceId = 0x7000;
  static constexpr uint32_t kClass = 0x060100;  // bridge, PCI-to-ISA
  static constexpr unsigned kDevice = 1, kFunction = 0;
  static constexpr uint8_t kPirqRoute = 0x60;  // PIRQRC[A:D]
  static constexpr uint8_t kRouteDisabled = 0x80;

  Piix3IsaBridge();
  std::string_view name() const override { return "piix3-isa"; }
  uint32_t config_read(uint8_t offset, unsigned size) override { return space_.read(offset, size); }
  void config_write(uint8_t offset, unsigned size, uint32_t value) override { space_.write(offset, size, value); }

  // The ISA IRQ PCI interrupt line 0-3 (INTA#-INTD#) is routed to, if any.
  int pirq_route(unsigned line) const;

private:
  PciConfigSpace space_;
};

}  // namespace bt86
