// devices/piix3_isa_bridge.h and piix_ide.h as PCI functions: identity,
// the registers firmware programs, and the ports the IDE function decodes
// after its command register, IDETIM and BAR4.
#include <catch2/catch.hpp>

#include "bt86/devices/ata_disk.h"
#include "bt86/devices/bus.h"
#include "bt86/devices/pci_config.h"
#include "bt86/devices/piix3_isa_bridge.h"
#include "bt86/devices/piix_ide.h"
#include "ide_rig.h"

namespace {

struct Piix {
  bt86::Bus io{"port I/O"};
  bt86::test::EdgeSink irq;
  bt86::test::FakeDmaMemory memory;
  bt86::PciConfigMechanism1 conf;
  bt86::Piix3IsaBridge isa;
  bt86::PiixIde ide{io, irq, memory};
  bt86::MemoryBackend media{64 * 512};
  bt86::AtaDisk disk{media};
  Piix() {
    conf.attach(1, 0, isa);
    conf.attach(1, 1, ide);
    io.map(bt86::PciConfigMechanism1::kPort, bt86::PciConfigMechanism1::kPorts, conf);
    ide.channel(0).attach(0, disk);
  }
  uint32_t cfg(unsigned fn, unsigned reg, unsigned size) {
    io.write(0xCF8, 4, bt86::PciConfigMechanism1::address(0, 1, fn, reg));
    return io.read(0xCFC + (reg & 3), size);
  }
  void set(unsigned fn, unsigned reg, unsigned size, uint32_t v) {
    io.write(0xCF8, 4, bt86::PciConfigMechanism1::address(0, 1, fn, reg));
    io.write(0xCFC + (reg & 3), size, v);
  }
};

}  // namespace

TEST_CASE_METHOD(Piix, "piix3: the ISA bridge is function 0 of a multi-function device", "[dev][pci][piix]") {
  CHECK(cfg(0, 0x00, 4) == 0x70008086);
  CHECK(cfg(0, 0x08, 4) >> 8 == 0x060100);
  CHECK(cfg(0, 0x0E, 1) == 0x80);
  for (unsigned i = 0; i < 4; ++i) CHECK(cfg(0, 0x60 + i, 1) == 0x80);  // routing off
  CHECK(isa.pirq_route(0) == -1);
  set(0, 0x60, 4, 0x0B0B0A0A);  // what SeaBIOS writes: A, B to IRQ 10, C, D to IRQ 11
  CHECK(cfg(0, 0x60, 4) == 0x0B0B0A0A);
  CHECK(isa.pirq_route(1) == 10);
  CHECK(isa.pirq_route(3) == 11);
  set(0, 0x00, 4, 0);  // identification is read-only
  CHECK(cfg(0, 0x00, 4) == 0x70008086);
}

TEST_CASE_METHOD(Piix, "piix3: the IDE function's identity and BAR4", "[dev][pci][piix]") {
  CHECK(cfg(1, 0x00, 4) == 0x70108086);
  CHECK(cfg(1, 0x08, 4) >> 8 == 0x010180);  // IDE, bus master, compatibility mode only
  for (unsigned bar = 0x10; bar < 0x20; bar += 4) CHECK(cfg(1, bar, 4) == 0);  // no native-mode BARs
  set(1, 0x20, 4, 0xFFFFFFFF);
  CHECK(cfg(1, 0x20, 4) == 0xFFFFFFF1);  // sizing: 16 bytes of I/O
  CHECK(cfg(1, 0x04, 2) == 0);
  set(1, 0x40, 2, 0x8000);  // as SeaBIOS: both channels decoded
  set(1, 0x42, 2, 0x8000);
  CHECK(cfg(1, 0x40, 4) == 0x80008000);
}

TEST_CASE_METHOD(Piix, "piix3: IDE ports are decoded after I/O space, IDETIM and BAR4", "[dev][pci][piix]") {
  CHECK(io.read(0x1F7, 1) == 0xFF);  // not decoded at power-on
  set(1, 0x40, 2, 0x8000);
  CHECK(io.read(0x1F7, 1) == 0xFF);  // I/O space still off
  set(1, 0x20, 4, 0xD000);
  set(1, 0x04, 2, 0x0005);
  CHECK(io.read(0x1F7, 1) == 0x50);
  CHECK(io.read(0x3F6, 1) == 0x50);
  CHECK(io.read(0x177, 1) == 0xFF);  // the secondary channel is not enabled
  io.write(0xD004, 4, 0x12345678);
  CHECK(io.read(0xD004, 4) == 0x12345678 - 0);  // the PRD address, dword aligned already
  io.write(0xD00C, 4, 0x1003);
  CHECK(io.read(0xD00C, 4) == 0x1000);  // the secondary channel's, low bits 0
  set(1, 0x20, 4, 0x1E000);  // beyond the I/O space: not decoded
  CHECK(io.read(0xE004, 4) == 0xFFFFFFFF);
  set(1, 0x20, 4, 0xE000);  // moved
  CHECK(io.read(0xD004, 4) == 0xFFFFFFFF);
  CHECK(io.read(0xE004, 4) == 0x12345678);
  CHECK(ide.bus_master_base() == 0xE000);
  set(1, 0x04, 2, 0x0000);  // I/O space off: nothing decoded
  CHECK(io.read(0x1F7, 1) == 0xFF);
  CHECK(io.read(0xE004, 4) == 0xFFFFFFFF);
  CHECK(ide.bus_master_base() == 0);
}

TEST_CASE_METHOD(Piix, "piix3: a BAR placed over another device stays unclaimed", "[dev][pci][piix]") {
  bt86::test::FakeDmaMemory other;  // any Device will do; use a second function's ports
  bt86::PiixIde second(io, irq, other);
  second.configure_as_firmware_would(0xC000);  // takes the legacy ports and 0xC000
  ide.configure_as_firmware_would(0xC000);     // collides everywhere
  CHECK(ide.bus_master_base() == 0);
  CHECK(second.bus_master_base() == 0xC000);
}
