// devices/pic8259_pair.h: the 8259A pair as a guest programs it through its
// ports and as the engine sees it (interrupt_pending, acknowledge).
#include <catch2/catch.hpp>

#include "bt86/devices/bus.h"
#include "bt86/devices/pic8259_pair.h"

namespace {

struct Pic {
  int output_changes = 0;
  bt86::Pic8259Pair pic{[this] { ++output_changes; }};
  bt86::Bus io{"io"};

  Pic() {
    io.map(0x20, 2, pic.master_device());
    io.map(0xA0, 2, pic.slave_device());
    io.map(0x4D0, 2, pic.elcr_device());
  }
  void out(uint16_t port, uint8_t v) { io.write(port, 1, v); }
  uint8_t in(uint16_t port) { return static_cast<uint8_t>(io.read(port, 1)); }

  // What Linux does: ICW1 edge/cascade/ICW4, vectors 0x20 and 0x28, slave
  // on IR2, 8086 mode (icw4 adds AEOI etc.), then everything unmasked.
  void init(uint8_t icw4 = 0x01) {
    out(0x20, 0x11);
    out(0x21, 0x20);
    out(0x21, 0x04);
    out(0x21, icw4);
    out(0xA0, 0x11);
    out(0xA1, 0x28);
    out(0xA1, 0x02);
    out(0xA1, icw4);
    out(0x21, 0x00);
    out(0xA1, 0x00);
  }
  void eoi_master() { out(0x20, 0x20); }
  void eoi_slave() { out(0xA0, 0x20); }
};

}  // namespace

TEST_CASE_METHOD(Pic, "pic: IRQ0 after init gives vector 0x20 and stays in service until EOI", "[dev][pic]") {
  init();
  CHECK_FALSE(pic.interrupt_pending());
  pic.set_irq(0, true);
  REQUIRE(pic.interrupt_pending());
  CHECK(pic.master().irr() == 0x01);
  CHECK(pic.acknowledge() == 0x20);
  CHECK(pic.master().isr() == 0x01);
  CHECK(pic.master().irr() == 0x00);  // the edge was consumed
  CHECK_FALSE(pic.interrupt_pending());

  // While IRQ0 is in service, a new IRQ0 edge waits in IRR.
  pic.set_irq(0, false);
  pic.set_irq(0, true);
  CHECK(pic.master().irr() == 0x01);
  CHECK_FALSE(pic.interrupt_pending());
  eoi_master();
  CHECK(pic.master().isr() == 0x00);
  CHECK(pic.interrupt_pending());
  CHECK(pic.acknowledge() == 0x20);
}

TEST_CASE_METHOD(Pic, "pic: ICW2 sets the vector base", "[dev][pic]") {
  out(0x20, 0x11);
  out(0x21, 0x08);  // a BIOS's base
  out(0x21, 0x04);
  out(0x21, 0x01);
  out(0x21, 0x00);
  pic.set_irq(5, true);
  CHECK(pic.acknowledge() == 0x0D);
}

TEST_CASE_METHOD(Pic, "pic: a masked line does not interrupt until unmasked", "[dev][pic]") {
  init();
  out(0x21, 0x08);  // mask IRQ3
  CHECK(in(0x21) == 0x08);
  pic.set_irq(3, true);
  CHECK(pic.master().irr() == 0x08);  // requested ...
  CHECK_FALSE(pic.interrupt_pending());  // ... but masked
  out(0x21, 0x00);
  CHECK(pic.interrupt_pending());
  CHECK(pic.acknowledge() == 0x23);
}

TEST_CASE_METHOD(Pic, "pic: IRQ1 outranks IRQ3, and a lower level waits for EOI", "[dev][pic]") {
  init();
  pic.set_irq(3, true);
  pic.set_irq(1, true);
  CHECK(pic.acknowledge() == 0x21);
  CHECK_FALSE(pic.interrupt_pending());  // IRQ3 is below IRQ1, which is in service
  eoi_master();
  CHECK(pic.acknowledge() == 0x23);

  // A higher level does interrupt a lower one in service (nesting).
  pic.set_irq(1, false);
  pic.set_irq(1, true);
  CHECK(pic.interrupt_pending());
  CHECK(pic.acknowledge() == 0x21);
  CHECK(pic.master().isr() == 0x0A);
  eoi_master();  // non-specific: clears the highest, IRQ1
  CHECK(pic.master().isr() == 0x08);
}

TEST_CASE_METHOD(Pic, "pic: rotate on EOI makes the serviced level the lowest", "[dev][pic]") {
  init();
  pic.set_irq(1, true);
  CHECK(pic.acknowledge() == 0x21);
  out(0x20, 0xA0);  // rotate on non-specific EOI
  CHECK(pic.master().lowest_priority() == 1);
  // Now 2 has the highest priority and 1 the lowest: IRQ5 beats IRQ0 and IRQ1.
  pic.set_irq(1, false);
  pic.set_irq(0, true);
  pic.set_irq(1, true);
  pic.set_irq(5, true);
  CHECK(pic.acknowledge() == 0x25);
  out(0x20, 0x65);  // specific EOI for IRQ5, no rotation
  CHECK(pic.acknowledge() == 0x20);
  out(0x20, 0x60);
  CHECK(pic.acknowledge() == 0x21);
}

TEST_CASE_METHOD(Pic, "pic: set priority command picks the lowest level", "[dev][pic]") {
  init();
  out(0x20, 0xC4);  // IRQ4 lowest: order 5 6 7 0 1 2 3 4
  pic.set_irq(4, true);
  pic.set_irq(6, true);
  pic.set_irq(0, true);
  CHECK(pic.acknowledge() == 0x26);
}

TEST_CASE_METHOD(Pic, "pic: a level-triggered line stays requested until it is lowered", "[dev][pic]") {
  init();
  out(0x4D1, 0x04);  // IRQ10 level-triggered
  CHECK(in(0x4D1) == 0x04);
  pic.set_irq(10, true);
  CHECK(pic.acknowledge() == 0x2A);
  eoi_slave();
  eoi_master();
  CHECK(pic.interrupt_pending());  // still high: requests again
  CHECK(pic.acknowledge() == 0x2A);
  pic.set_irq(10, false);
  eoi_slave();
  eoi_master();
  CHECK_FALSE(pic.interrupt_pending());
}

TEST_CASE_METHOD(Pic, "pic: an edge-triggered line held high requests once", "[dev][pic]") {
  init();
  pic.set_irq(4, true);
  CHECK(pic.acknowledge() == 0x24);
  eoi_master();
  CHECK_FALSE(pic.interrupt_pending());
  pic.set_irq(4, false);
  pic.set_irq(4, true);  // a new edge
  CHECK(pic.interrupt_pending());
  pic.set_irq(4, false);  // released before INTA: forgotten
  CHECK_FALSE(pic.interrupt_pending());
}

TEST_CASE_METHOD(Pic, "pic: ELCR bits that a PC cannot make level stay zero", "[dev][pic]") {
  out(0x4D0, 0xFF);
  out(0x4D1, 0xFF);
  CHECK(in(0x4D0) == 0xF8);  // IRQ0-2 are edge-only
  CHECK(in(0x4D1) == 0xDE);  // IRQ8 and IRQ13 are edge-only
}

TEST_CASE_METHOD(Pic, "pic: a request that vanished before INTA is a spurious IRQ7", "[dev][pic]") {
  init();
  pic.set_irq(4, true);
  REQUIRE(pic.interrupt_pending());
  pic.set_irq(4, false);
  CHECK_FALSE(pic.interrupt_pending());
  CHECK(pic.acknowledge() == 0x27);
  CHECK(pic.master().isr() == 0x00);  // spurious: IR7's ISR bit is not set

  // A real IRQ7 sets it, which is how handlers tell the two apart.
  pic.set_irq(7, true);
  CHECK(pic.acknowledge() == 0x27);
  CHECK(pic.master().isr() == 0x80);
}

TEST_CASE_METHOD(Pic, "pic: slave interrupts cascade through IR2", "[dev][pic]") {
  init();
  pic.set_irq(12, true);
  REQUIRE(pic.interrupt_pending());
  CHECK(pic.master().irr() == 0x04);
  CHECK(pic.acknowledge() == 0x2C);
  CHECK(pic.master().isr() == 0x04);
  CHECK(pic.slave().isr() == 0x10);
  // A masked slave line never reaches the master.
  eoi_slave();
  eoi_master();
  out(0xA1, 0x01);
  pic.set_irq(8, true);
  CHECK_FALSE(pic.interrupt_pending());
  CHECK(pic.master().irr() == 0x00);
}

TEST_CASE_METHOD(Pic, "pic: a second slave request follows after the slave's EOI", "[dev][pic]") {
  init(0x03);  // auto-EOI on both chips: nothing stays in service
  pic.set_irq(9, true);
  pic.set_irq(11, true);
  CHECK(pic.acknowledge() == 0x29);
  // The slave still asserts INT for IRQ11; the master sees it as a new edge.
  REQUIRE(pic.interrupt_pending());
  CHECK(pic.acknowledge() == 0x2B);
}

TEST_CASE_METHOD(Pic, "pic: bus IRQ2 arrives as IRQ9", "[dev][pic]") {
  init();
  pic.set_irq(2, true);
  CHECK(pic.acknowledge() == 0x29);
}

TEST_CASE_METHOD(Pic, "pic: OCW3 selects IRR or ISR for reads", "[dev][pic]") {
  init();
  pic.set_irq(3, true);
  pic.set_irq(5, true);
  pic.acknowledge();
  out(0x20, 0x0A);
  CHECK(in(0x20) == 0x20);  // IRR: IRQ5 still waiting
  out(0x20, 0x0B);
  CHECK(in(0x20) == 0x08);  // ISR: IRQ3 in service
  CHECK(in(0x20) == 0x08);  // the selection persists
}

TEST_CASE_METHOD(Pic, "pic: poll mode reads the level and acknowledges it", "[dev][pic]") {
  init();
  out(0x20, 0x0C);  // poll
  CHECK(in(0x20) == 0x00);  // nothing requested
  pic.set_irq(6, true);
  out(0x20, 0x0C);
  CHECK(in(0x20) == 0x86);
  CHECK(pic.master().isr() == 0x40);
  CHECK(pic.master().irr() == 0x00);
}

TEST_CASE_METHOD(Pic, "pic: auto-EOI leaves nothing in service", "[dev][pic]") {
  init(0x03);
  CHECK(pic.master().auto_eoi());
  pic.set_irq(3, true);
  CHECK(pic.acknowledge() == 0x23);
  CHECK(pic.master().isr() == 0x00);
  pic.set_irq(3, false);
  pic.set_irq(4, true);
  CHECK(pic.acknowledge() == 0x24);  // not blocked by IRQ3
}

TEST_CASE_METHOD(Pic, "pic: special mask mode lets lower levels in", "[dev][pic]") {
  init();
  pic.set_irq(1, true);
  CHECK(pic.acknowledge() == 0x21);
  pic.set_irq(5, true);
  CHECK_FALSE(pic.interrupt_pending());  // IRQ5 is below IRQ1 in service
  out(0x21, 0x02);  // mask IRQ1 ...
  out(0x20, 0x68);  // ... and set special mask mode
  CHECK(pic.master().special_mask());
  CHECK(pic.interrupt_pending());
  CHECK(pic.acknowledge() == 0x25);
  out(0x20, 0x48);  // reset special mask mode
  CHECK_FALSE(pic.master().special_mask());
}

TEST_CASE_METHOD(Pic, "pic: ICW1 clears the mask and needs a new edge", "[dev][pic]") {
  init();
  out(0x21, 0xFF);
  pic.set_irq(3, true);
  out(0x20, 0x11);  // re-initialization without an OCW1 afterwards
  out(0x21, 0x20);
  out(0x21, 0x04);
  out(0x21, 0x01);
  CHECK(pic.master().imr() == 0x00);
  CHECK(pic.master().irr() == 0x00);  // the edge sense was reset
  CHECK_FALSE(pic.interrupt_pending());
  pic.set_irq(3, false);
  pic.set_irq(3, true);
  CHECK(pic.interrupt_pending());
}

TEST_CASE_METHOD(Pic, "pic: the output callback reports every change of INTR", "[dev][pic]") {
  init();
  int before = output_changes;
  pic.set_irq(0, true);
  CHECK(output_changes == before + 1);  // raised
  pic.set_irq(3, true);
  CHECK(output_changes == before + 1);  // still pending: no change
  pic.acknowledge();
  CHECK(output_changes == before + 2);  // IRQ3 is blocked behind IRQ0: INTR drops
  eoi_master();
  CHECK(output_changes == before + 3);  // IRQ3 now pending
  out(0x21, 0xFF);
  CHECK(output_changes == before + 4);  // masked: drops
}

TEST_CASE("pic: the reset state has BIOS vectors and everything masked", "[dev][pic]") {
  bt86::Pic8259Pair pic;
  pic.set_irq(0, true);
  CHECK_FALSE(pic.interrupt_pending());
  CHECK(pic.master().imr() == 0xFB);
  CHECK(pic.master().vector_base() == 0x08);
  CHECK(pic.slave().vector_base() == 0x70);
}

namespace {
// Edges as the PIT sends them: each period the line falls and rises again.
void ticks(bt86::Pic8259Pair& pic, unsigned line, int n) {
  for (int i = 0; i < n; ++i) {
    pic.set_irq(line, false);
    pic.set_irq(line, true);
  }
}
}  // namespace

TEST_CASE_METHOD(Pic, "pic: without catch-up, ticks that pass before INTA make one request", "[dev][pic]") {
  init();
  ticks(pic, 0, 5);
  CHECK(pic.acknowledge() == 0x20);
  eoi_master();
  CHECK_FALSE(pic.interrupt_pending());
  CHECK(pic.caught_up() == 0);
}

TEST_CASE_METHOD(Pic, "pic: with catch-up, every tick is delivered, one after each EOI", "[dev][pic]") {
  init();
  pic.set_catch_up(0, 1000);
  ticks(pic, 0, 5);  // four requests forgotten before the first INTA
  int delivered = 0;
  while (pic.interrupt_pending()) {
    CHECK(pic.acknowledge() == 0x20);
    CHECK_FALSE(pic.interrupt_pending());  // the next waits for the EOI
    eoi_master();
    ++delivered;
  }
  CHECK(delivered == 5);
  CHECK(pic.caught_up() == 4);
}

TEST_CASE_METHOD(Pic, "pic: catch-up owes at most its limit, nothing while masked, and keeps its debt across masking", "[dev][pic]") {
  init();
  pic.set_catch_up(0, 2);
  ticks(pic, 0, 10);
  int delivered = 0;
  for (; pic.interrupt_pending(); ++delivered) {
    pic.acknowledge();
    eoi_master();
  }
  CHECK(delivered == 3);  // the pending request and two owed

  out(0x21, 0x01);  // masked: edges still latch one request, nothing is owed
  ticks(pic, 0, 5);
  out(0x21, 0x00);
  delivered = 0;
  for (; pic.interrupt_pending(); ++delivered) {
    pic.acknowledge();
    eoi_master();
  }
  CHECK(delivered == 1);

  // As Linux handles a legacy IRQ: mask and EOI at once, unmask at the end.
  ticks(pic, 0, 2);  // one owed, one pending
  for (delivered = 0; pic.interrupt_pending(); ++delivered) {
    pic.acknowledge();
    out(0x21, 0x01);
    eoi_master();
    out(0x21, 0x00);
  }
  CHECK(delivered == 2);
}
