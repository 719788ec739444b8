// devices/io_apic.h: the indirect registers, the redirection entries'
// writable bits, edge and level triggering with remote IRR and EOI,
// polarity, and the ISA routing (IRQ0 on pin 2).
#include <catch2/catch.hpp>

#include <vector>

#include "bt86/devices/io_apic.h"

namespace {
using bt86::ApicDelivery;
using bt86::ApicMessage;

struct Io {
  std::vector<ApicMessage> sent;
  bool fresh = true;  // what the local APIC answers
  bt86::IoApic ioapic{1, [this](const ApicMessage& m) {
                        sent.push_back(m);
                        return fresh;
                      }};
  uint32_t reg(uint8_t index) {
    ioapic.write(0x00, 4, index);
    return ioapic.read(0x10, 4);
  }
  void set_reg(uint8_t index, uint32_t v) {
    ioapic.write(0x00, 4, index);
    ioapic.write(0x10, 4, v);
  }
  void route(unsigned pin, uint32_t low, uint8_t dest = 0) {
    set_reg(static_cast<uint8_t>(0x11 + 2 * pin), uint32_t{dest} << 24);
    set_reg(static_cast<uint8_t>(0x10 + 2 * pin), low);
  }
};

struct Lines final : bt86::InterruptSink {
  std::vector<std::pair<unsigned, bool>> seen;
  void set_irq(unsigned line, bool level) override { seen.emplace_back(line, level); }
};
}  // namespace

TEST_CASE("io apic: identification registers and power-up entries", "[dev][ioapic]") {
  Io io;
  CHECK(io.reg(0x00) == 0x01000000);
  CHECK(io.reg(0x01) == 0x00170020);  // 24 entries, version 0x20
  CHECK(io.reg(0x02) == 0x01000000);
  io.set_reg(0x00, 0xFFFFFFFF);
  CHECK(io.reg(0x00) == 0x0F000000);
  io.set_reg(0x01, 0);
  CHECK(io.reg(0x01) == 0x00170020);
  for (uint8_t i = 0x10; i < 0x40; i += 2) {
    CHECK(io.reg(i) == 0x10000);
    CHECK(io.reg(static_cast<uint8_t>(i + 1)) == 0);
  }
  CHECK(io.reg(0x40) == 0xFFFFFFFF);  // no such register
  CHECK(io.ioapic.read(0x00, 4) == 0x40);  // IOREGSEL reads back
}

TEST_CASE("io apic: redirection entries keep their writable bits", "[dev][ioapic]") {
  Io io;
  io.set_reg(0x10, 0xFFFFFFFF);
  CHECK(io.reg(0x10) == 0x1AFFF);  // no delivery status, no remote IRR
  io.set_reg(0x11, 0xFFFFFFFF);
  CHECK(io.reg(0x11) == 0xFF000000);
}

TEST_CASE("io apic: edge entries send on each rising edge, none while masked", "[dev][ioapic]") {
  Io io;
  io.route(4, 0x834, 0x0F);  // fixed, logical, vector 0x34
  io.ioapic.set_pin(4, true);
  REQUIRE(io.sent.size() == 1);
  CHECK(io.sent[0].vector == 0x34);
  CHECK(io.sent[0].logical);
  CHECK(io.sent[0].destination == 0x0F);
  CHECK_FALSE(io.sent[0].level_triggered);
  io.ioapic.set_pin(4, true);  // still high: no edge
  CHECK(io.sent.size() == 1);
  io.ioapic.set_pin(4, false);
  io.ioapic.set_pin(4, true);
  CHECK(io.sent.size() == 2);
  io.route(4, 0x10034);  // masked
  io.ioapic.set_pin(4, false);
  io.ioapic.set_pin(4, true);
  io.route(4, 0x34);  // unmasking an edge entry does not send a lost edge
  CHECK(io.sent.size() == 2);
}

TEST_CASE("io apic: level entries wait for the EOI of their vector", "[dev][ioapic]") {
  Io io;
  io.route(9, 0x8000 | 0x49);  // level, vector 0x49
  io.ioapic.set_pin(9, true);
  REQUIRE(io.sent.size() == 1);
  CHECK(io.sent[0].level_triggered);
  CHECK((io.reg(0x22) & 1u << 14) != 0);  // remote IRR
  io.ioapic.set_pin(9, false);
  io.ioapic.set_pin(9, true);
  CHECK(io.sent.size() == 1);
  io.ioapic.eoi(0x48);  // another vector
  CHECK(io.sent.size() == 1);
  io.ioapic.eoi(0x49);  // still asserted: again
  CHECK(io.sent.size() == 2);
  io.ioapic.set_pin(9, false);
  io.ioapic.write(0x40, 4, 0x49);  // the EOI register
  CHECK(io.sent.size() == 2);
  CHECK((io.reg(0x22) & 1u << 14) == 0);
  // Masked while asserted: sent once unmasked.
  io.route(9, 0x18000 | 0x49);
  io.ioapic.set_pin(9, true);
  CHECK(io.sent.size() == 2);
  io.route(9, 0x8000 | 0x49);
  CHECK(io.sent.size() == 3);
}

TEST_CASE("io apic: an active-low entry is asserted by a low pin", "[dev][ioapic]") {
  Io io;
  io.route(10, 0x8000 | 0x2000 | 0x60);  // level, active low: the idle (low) pin asserts it
  CHECK(io.sent.size() == 1);
  io.ioapic.set_pin(10, true);
  io.ioapic.eoi(0x60);
  CHECK(io.sent.size() == 1);
  io.ioapic.set_pin(10, false);
  CHECK(io.sent.size() == 2);
}

TEST_CASE("io apic: delivery modes travel in the message", "[dev][ioapic]") {
  Io io;
  io.route(3, 0x400);  // NMI
  io.ioapic.set_pin(3, true);
  REQUIRE(io.sent.size() == 1);
  CHECK(io.sent[0].delivery == ApicDelivery::kNmi);
}

TEST_CASE("io apic: ISA lines reach the 8259A and the I/O APIC, IRQ0 on pin 2", "[dev][ioapic]") {
  Io io;
  Lines pic;
  bt86::IsaInterruptRouter router(pic, io.ioapic);
  io.route(2, 0x30);
  io.route(0, 0x31);
  router.set_irq(0, true);
  REQUIRE(io.sent.size() == 1);
  CHECK(io.sent[0].vector == 0x30);
  CHECK(pic.seen == std::vector<std::pair<unsigned, bool>>{{0, true}});
  CHECK(bt86::IsaInterruptRouter::pin_of(4) == 4);
  CHECK(bt86::IsaInterruptRouter::pin_of(2) == 9);
}

TEST_CASE("io apic: lost-tick catch-up re-sends edges the local APIC coalesced, one per EOI", "[dev][ioapic]") {
  Io io;
  io.ioapic.set_catch_up(2, 2);
  io.route(2, 0x30);
  auto tick = [&] {
    io.ioapic.set_pin(2, false);
    io.ioapic.set_pin(2, true);
  };
  tick();  // a new request
  io.fresh = false;
  tick(), tick(), tick();  // coalesced: two owed (the limit), one lost
  CHECK(io.sent.size() == 4);
  io.fresh = true;
  io.ioapic.acknowledged(0x31);  // another vector: nothing
  CHECK(io.sent.size() == 4);
  io.ioapic.acknowledged(0x30);
  io.ioapic.acknowledged(0x30);
  io.ioapic.acknowledged(0x30);
  CHECK(io.sent.size() == 6);
  CHECK(io.ioapic.caught_up() == 2);
  // What is owed stays owed across masking; an EOI while masked sends nothing.
  io.fresh = false;
  tick();
  io.route(2, 0x10030);
  io.fresh = true;
  io.ioapic.acknowledged(0x30);
  CHECK(io.sent.size() == 7);
  io.route(2, 0x30);
  io.ioapic.acknowledged(0x30);
  CHECK(io.sent.size() == 8);
  CHECK(io.ioapic.caught_up() == 3);
  // Without catch-up (pin 4) a coalesced edge stays lost.
  io.route(4, 0x34);
  io.fresh = false;
  io.ioapic.set_pin(4, true);
  io.fresh = true;
  io.ioapic.acknowledged(0x34);
  CHECK(io.sent.size() == 9);
}
