// devices/pci_config.h, pci_host_bridge.h, pci_function.h: configuration
// mechanism #1 (address register, byte lanes, the all-ones answer of an
// empty slot, what Linux's type 1/type 2 probes see) and the host bridge's
// header (identity, read-only and writable bits, no BARs).
#include <catch2/catch.hpp>

#include "bt86/devices/bus.h"
#include "bt86/devices/pci_config.h"
#include "bt86/devices/pci_host_bridge.h"

namespace {

using bt86::PciConfigMechanism1;

struct Pci {
  bt86::Bus io{"port I/O"};
  PciConfigMechanism1 conf;
  bt86::PciHostBridge bridge;
  Pci() {
    conf.attach(0, 0, bridge);
    io.map(PciConfigMechanism1::kPort, PciConfigMechanism1::kPorts, conf);
  }
  void select(unsigned bus, unsigned dev, unsigned fn, unsigned reg) {
    io.write(0xCF8, 4, PciConfigMechanism1::address(bus, dev, fn, reg));
  }
  // A config read or write as Linux's pci_conf1_read/write do it.
  uint32_t cfg_read(unsigned dev, unsigned fn, unsigned reg, unsigned size, unsigned bus = 0) {
    select(bus, dev, fn, reg);
    return io.read(0xCFC + (reg & 3), size);
  }
  void cfg_write(unsigned dev, unsigned fn, unsigned reg, unsigned size, uint32_t value) {
    select(0, dev, fn, reg);
    io.write(0xCFC + (reg & 3), size, value);
  }
};

}  // namespace

TEST_CASE_METHOD(Pci, "pci: CONFIG_ADDRESS reads back by dword, reserved bits as 0", "[dev][pci]") {
  CHECK(io.read(0xCF8, 4) == 0);
  io.write(0xCF8, 4, 0x8000'0000);
  CHECK(io.read(0xCF8, 4) == 0x8000'0000);
  io.write(0xCF8, 4, 0x8012'3456);
  CHECK(io.read(0xCF8, 4) == 0x8012'3454);  // bits 1:0 read as 0
  io.write(0xCF8, 4, 0xFFFF'FFFF);
  CHECK(io.read(0xCF8, 4) == 0x80FF'FFFC);  // bits 30:24 too
  io.write(0xCF8, 4, 0x0000'F800);
  CHECK(io.read(0xCF8, 4) == 0x0000'F800);  // enable clear still reads back
}

TEST_CASE_METHOD(Pci, "pci: Linux's type 1 probe succeeds and its type 2 probe fails", "[dev][pci]") {
  // pci_check_type1: outb(0x01, 0xCFB); tmp = inl(0xCF8); outl(0x80000000, 0xCF8)
  io.write(0xCF8, 4, 0x8000'1234);
  io.write(0xCFB, 1, 0x01);
  CHECK(io.read(0xCF8, 4) == 0x8000'1234);  // byte writes do not reach CONFIG_ADDRESS
  io.write(0xCF8, 4, 0x8000'0000);
  CHECK(io.read(0xCF8, 4) == 0x8000'0000);
  // pci_sanity_check: the class word of some devfn on bus 0 is a host bridge.
  CHECK(cfg_read(0, 0, 0x0A, 2) == 0x0600);
  CHECK(cfg_read(0, 0, 0x00, 2) == 0x8086);
  // pci_check_type2: outb(0, 0xCFB); outb(0, 0xCF8); outb(0, 0xCFA);
  // then inb(0xCF8) == 0 && inb(0xCFA) == 0 would mean mechanism #2.
  io.write(0xCFB, 1, 0);
  io.write(0xCF8, 1, 0);
  io.write(0xCFA, 1, 0);
  CHECK(io.read(0xCF8, 1) == 0xFF);
  CHECK(io.read(0xCFA, 1) == 0xFF);
  CHECK(io.read(0xCF8, 2) == 0xFFFF);
  CHECK(io.read(0xCF8, 4) == 0x8000'0000);  // untouched by all of it
}

TEST_CASE_METHOD(Pci, "pci: with the enable bit clear the data window is all ones", "[dev][pci]") {
  io.write(0xCF8, 4, 0x0000'0000);  // 00:00.0 register 0, but disabled
  CHECK(io.read(0xCFC, 4) == 0xFFFF'FFFF);
  CHECK(io.read(0xCFC, 2) == 0xFFFF);
  CHECK(io.read(0xCFE, 1) == 0xFF);
  io.write(0xCF8, 4, 0x0000'0004);
  io.write(0xCFC, 2, 0x0000);  // ignored: the command register keeps its value
  CHECK(cfg_read(0, 0, 0x04, 2) == bt86::PciHostBridge::kCommandReset);
  io.write(0xCF8, 4, 0x0000'0004);
  io.write(0xCFC, 2, 0x0140);  // ignored: would set the writable bits
  CHECK(cfg_read(0, 0, 0x04, 2) == bt86::PciHostBridge::kCommandReset);
}

TEST_CASE_METHOD(Pci, "pci: absent devices, functions and buses read all ones", "[dev][pci]") {
  CHECK(cfg_read(0, 0, 0x00, 4) == 0x1237'8086);
  CHECK(cfg_read(1, 0, 0x00, 4) == 0xFFFF'FFFF);   // no device 1
  CHECK(cfg_read(31, 0, 0x00, 2) == 0xFFFF);
  CHECK(cfg_read(0, 1, 0x00, 4) == 0xFFFF'FFFF);   // no function 1
  CHECK(cfg_read(0, 7, 0x0A, 2) == 0xFFFF);
  CHECK(cfg_read(0, 0, 0x00, 4, 1) == 0xFFFF'FFFF);  // no bus 1
  CHECK(cfg_read(0, 0, 0x00, 1, 255) == 0xFF);
  cfg_write(1, 0, 0x04, 4, 0);  // a write to nothing goes nowhere
  CHECK(cfg_read(0, 0, 0x04, 2) == bt86::PciHostBridge::kCommandReset);
}

TEST_CASE_METHOD(Pci, "pci: byte and word lanes of CONFIG_DATA select bytes of the dword", "[dev][pci]") {
  select(0, 0, 0, 0x00);
  CHECK(io.read(0xCFC, 1) == 0x86);
  CHECK(io.read(0xCFD, 1) == 0x80);
  CHECK(io.read(0xCFE, 1) == 0x37);
  CHECK(io.read(0xCFF, 1) == 0x12);
  CHECK(io.read(0xCFC, 2) == 0x8086);
  CHECK(io.read(0xCFE, 2) == 0x1237);
  CHECK(io.read(0xCFD, 2) == 0x3780);  // unaligned word inside the dword
  CHECK(io.read(0xCFF, 2) == 0xFF12);  // past 0xCFF: not config data
  select(0, 0, 0, 0x08);
  CHECK(io.read(0xCFC, 4) == 0x0600'0002);  // class 06/00/00, revision 2
  CHECK(io.read(0xCFF, 1) == 0x06);
  CHECK(io.read(0xCFE, 1) == 0x00);
  CHECK(io.read(0xCFC, 1) == 0x02);
  // Register bits 1:0 of CONFIG_ADDRESS do not move the window: lanes do.
  io.write(0xCF8, 4, 0x8000'000B);
  CHECK(io.read(0xCFC, 1) == 0x02);
  CHECK(io.read(0xCFF, 1) == 0x06);
  // A byte write lands in its lane only: the latency timer is byte 1 of 0x0C.
  select(0, 0, 0, 0x0C);
  io.write(0xCFD, 1, 0x40);
  CHECK(io.read(0xCFC, 4) == 0x0000'4000);
  io.write(0xCFC, 2, 0x2010);  // cache line size is read-only, latency takes 0x20
  CHECK(io.read(0xCFC, 4) == 0x0000'2000);
}

TEST_CASE_METHOD(Pci, "pci: identification registers ignore writes", "[dev][pci]") {
  cfg_write(0, 0, 0x00, 4, 0xDEAD'BEEF);
  CHECK(cfg_read(0, 0, 0x00, 4) == 0x1237'8086);
  cfg_write(0, 0, 0x08, 4, 0x0C03'30FF);
  CHECK(cfg_read(0, 0, 0x08, 4) == 0x0600'0002);
  cfg_write(0, 0, 0x0E, 1, 0x80);
  CHECK(cfg_read(0, 0, 0x0E, 1) == 0x00);  // header type 0, single function
  cfg_write(0, 0, 0x2C, 4, 0x1234'5678);
  CHECK(cfg_read(0, 0, 0x2C, 4) == 0);  // subsystem IDs
  cfg_write(0, 0, 0x34, 1, 0x40);
  CHECK(cfg_read(0, 0, 0x34, 1) == 0);  // no capabilities list
  CHECK((cfg_read(0, 0, 0x06, 2) & 0x0010) == 0);
  cfg_write(0, 0, 0x3C, 2, 0x010B);
  CHECK(cfg_read(0, 0, 0x3C, 2) == 0);  // interrupt line and pin
  for (unsigned reg = 0x40; reg < 0x100; reg += 4) {
    if (reg == 0x58 || reg == 0x5C) continue;  // the PAM registers (next test)
    cfg_write(0, 0, reg, 4, 0xFFFF'FFFF);
    INFO("register " << reg);
    CHECK(cfg_read(0, 0, reg, 4) == 0);
  }
}

TEST_CASE_METHOD(Pci, "pci: the 440FX's PAM registers route the BIOS area", "[dev][pci]") {
  unsigned notices = 0;
  bridge.on_pam = [&] { ++notices; };
  CHECK(cfg_read(0, 0, 0x58, 4) == 0);  // reset: every segment from the ROM side
  CHECK(bridge.pam_routing(0xF0000) == 0);
  cfg_write(0, 0, 0x59, 1, 0xFF);  // PAM0: only its high nibble exists
  CHECK(cfg_read(0, 0, 0x59, 1) == 0x30);
  CHECK(notices == 1);
  CHECK(bridge.pam_routing(0xFFFFF) == (bt86::PciHostBridge::kPamRead | bt86::PciHostBridge::kPamWrite));
  CHECK(bridge.pam_routing(0xEFFFF) == 0);
  cfg_write(0, 0, 0x5C, 4, 0x3321'1233);  // PAM3-PAM6
  CHECK(cfg_read(0, 0, 0x5C, 4) == 0x3321'1233);
  CHECK(bridge.pam_routing(0xD0000) == 3);  // PAM3 low nibble: 0xD0000-0xD3FFF
  CHECK(bridge.pam_routing(0xD4000) == 3);
  CHECK(bridge.pam_routing(0xD8000) == 2);  // PAM4: 0xD8000 low, 0xDC000 high
  CHECK(bridge.pam_routing(0xDC000) == 1);
  CHECK(bridge.pam_routing(0xE8000) == 3);  // PAM6
  CHECK(notices == 2);
  cfg_write(0, 0, 0x40, 4, 1);
  CHECK(notices == 2);  // other registers are no PAM
}

TEST_CASE_METHOD(Pci, "pci: the command register keeps its hardwired bits", "[dev][pci]") {
  CHECK(cfg_read(0, 0, 0x04, 2) == 0x0006);  // memory space and bus master on
  cfg_write(0, 0, 0x04, 2, 0xFFFF);
  CHECK(cfg_read(0, 0, 0x04, 2) == 0x0146);  // + parity response, SERR# enable
  cfg_write(0, 0, 0x04, 2, 0x0000);
  CHECK(cfg_read(0, 0, 0x04, 2) == 0x0006);  // cannot switch memory or mastering off
  cfg_write(0, 0, 0x05, 1, 0x01);  // byte write to the high half: SERR# enable
  CHECK(cfg_read(0, 0, 0x04, 2) == 0x0106);
}

TEST_CASE_METHOD(Pci, "pci: status error flags clear on writing one, the rest is read-only",
                 "[dev][pci]") {
  CHECK(cfg_read(0, 0, 0x06, 2) == 0x0280);
  cfg_write(0, 0, 0x06, 2, 0xFFFF);
  CHECK(cfg_read(0, 0, 0x06, 2) == 0x0280);  // capability bits stay, nothing set
  bridge.space().set_bits(0x06, 2, 0xA100);  // parity error, master abort, data parity
  CHECK(cfg_read(0, 0, 0x06, 2) == 0xA380);
  cfg_write(0, 0, 0x04, 4, 0x2000'0006);  // dword write: clears only received master abort
  CHECK(cfg_read(0, 0, 0x06, 2) == 0x8380);
  CHECK(cfg_read(0, 0, 0x04, 2) == 0x0006);
  cfg_write(0, 0, 0x06, 2, 0x0000);  // writing 0 clears nothing
  CHECK(cfg_read(0, 0, 0x06, 2) == 0x8380);
  cfg_write(0, 0, 0x06, 2, 0xFFFF);
  CHECK(cfg_read(0, 0, 0x06, 2) == 0x0280);
}

TEST_CASE_METHOD(Pci, "pci: sizing the host bridge's BARs finds none", "[dev][pci]") {
  for (unsigned bar = 0x10; bar <= 0x24; bar += 4) {
    INFO("BAR at " << bar);
    CHECK(cfg_read(0, 0, bar, 4) == 0);
    cfg_write(0, 0, bar, 4, 0xFFFF'FFFF);
    CHECK(cfg_read(0, 0, bar, 4) == 0);  // 0 after all ones: not implemented
  }
  cfg_write(0, 0, 0x30, 4, 0xFFFF'F800);  // expansion ROM sizing too
  CHECK(cfg_read(0, 0, 0x30, 4) == 0);
}

TEST_CASE("pci: config space masks are per bit", "[dev][pci]") {
  bt86::PciConfigSpace space;
  space.define(0x40, 4, 0x1122'3344, 0x0000'FF0F, 0x00F0'0000);
  CHECK(space.read(0x40, 4) == 0x1122'3344);
  space.write(0x40, 4, 0xFFFF'FFFF);
  CHECK(space.read(0x40, 4) == 0x1102'FF4F);
  space.write(0x41, 1, 0x00);  // only the written lane changes
  CHECK(space.read(0x40, 4) == 0x1102'004F);
  CHECK(space.read(0x80, 4) == 0);
}

TEST_CASE("pci: attaching checks the slot", "[dev][pci]") {
  PciConfigMechanism1 conf;
  bt86::PciHostBridge a, b;
  conf.attach(0, 0, a);
  CHECK_THROWS_AS(conf.attach(0, 0, b), std::invalid_argument);
  CHECK_THROWS_AS(conf.attach(32, 0, b), std::invalid_argument);
  CHECK_THROWS_AS(conf.attach(1, 8, b), std::invalid_argument);
  conf.attach(3, 1, b);
  conf.write(0, 4, PciConfigMechanism1::address(0, 3, 1, 0));
  CHECK(conf.read(4, 2) == 0x8086);
}
