// devices/uart16550.h as a 16550A: the receive FIFO and its trigger levels
// and timeout, overrun, interrupt identification and priorities, the THRE
// interrupt rules, modem status deltas and loopback. (The register basics a
// driver probes are in host/test_uart.cpp.)
#include <catch2/catch.hpp>

#include <vector>

#include "bt86/devices/uart16550.h"

namespace {

enum : uint64_t { kData = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6 };
constexpr uint8_t kMcrOut2 = 0x08, kMcrLoop = 0x10;

struct Sink final : bt86::InterruptSink {
  bool level = false;
  int rises = 0;
  void set_irq(unsigned line, bool high) override {
    REQUIRE(line == 4);
    if (high && !level) ++rises;
    level = high;
  }
};

struct Uart {
  bt86::VirtualClock clock;
  bt86::EventQueue events;
  Sink irq;
  std::vector<uint8_t> sent;
  bt86::Uart16550 uart{[this](uint8_t b) { sent.push_back(b); },
                       bt86::Uart16550::Wiring{bt86::IrqLine(irq, 4), &clock, &events}};

  uint8_t rd(uint64_t reg) { return static_cast<uint8_t>(uart.read(reg, 1)); }
  void wr(uint64_t reg, uint8_t v) { uart.write(reg, 1, v); }
  void advance(uint64_t ns) {
    clock.advance(ns);
    events.run_expired(clock.now_ns());
  }
  void baud_115200() {
    wr(kLcr, 0x83);
    wr(kData, 1);
    wr(kIer, 0);
    wr(kLcr, 0x03);  // 8N1: 10 bits a character, 86.8 us at 115200
  }
};

}  // namespace

TEST_CASE_METHOD(Uart, "uart16550: the receive FIFO keeps bytes in order", "[dev][uart]") {
  wr(kIir, 0x07);  // FIFOs on and cleared
  for (uint8_t b : {'a', 'b', 'c'}) uart.receive(b);
  CHECK(uart.rx_room() == 13);
  CHECK((rd(kLsr) & 0x01) == 0x01);
  CHECK(rd(kData) == 'a');
  CHECK(rd(kData) == 'b');
  CHECK(rd(kData) == 'c');
  CHECK((rd(kLsr) & 0x01) == 0x00);
  CHECK(rd(kData) == 'c');  // an empty FIFO reads the last byte again
}

TEST_CASE_METHOD(Uart, "uart16550: a full FIFO overruns and loses the new byte", "[dev][uart]") {
  wr(kIir, 0x01);
  for (int i = 0; i < 16; ++i) uart.receive(static_cast<uint8_t>(i));
  CHECK(uart.rx_room() == 0);
  CHECK((rd(kLsr) & 0x02) == 0);
  uart.receive(0xEE);
  CHECK(uart.overruns() == 1);
  CHECK((rd(kLsr) & 0x02) == 0x02);  // OE ...
  CHECK((rd(kLsr) & 0x02) == 0x00);  // ... cleared by reading LSR
  for (int i = 0; i < 16; ++i) CHECK(rd(kData) == i);
  CHECK((rd(kLsr) & 0x01) == 0);  // 0xEE never arrived
}

TEST_CASE_METHOD(Uart, "uart16550: without FIFOs a second byte overwrites the first", "[dev][uart]") {
  uart.receive('x');
  CHECK(uart.rx_room() == 0);
  uart.receive('y');
  CHECK((rd(kLsr) & 0x03) == 0x03);
  CHECK(rd(kData) == 'y');
}

TEST_CASE_METHOD(Uart, "uart16550: IIR reports the highest-priority interrupt", "[dev][uart]") {
  wr(kIir, 0x01);  // FIFO, trigger level 1
  wr(kMcr, kMcrOut2);
  wr(kIer, 0x0F);
  CHECK(rd(kIir) == 0xC2);  // THRE (enabling it with THR empty raises it) ...
  CHECK(rd(kIir) == 0xC1);  // ... and reading IIR cleared it
  for (int i = 0; i < 17; ++i) uart.receive('z');  // data and an overrun
  CHECK(rd(kIir) == 0xC6);  // line status first
  rd(kLsr);
  CHECK(rd(kIir) == 0xC4);  // then received data
  for (int i = 0; i < 16; ++i) rd(kData);
  CHECK(rd(kIir) == 0xC1);
  // Modem status is last: loopback changes the lines (and gates the IRQ off).
  wr(kMcr, kMcrLoop | 0x02);  // RTS -> CTS
  CHECK(rd(kIir) == 0xC0);
  CHECK((rd(kMsr) & 0x0F) != 0);  // deltas, cleared by the read
  CHECK(rd(kIir) == 0xC1);
}

TEST_CASE_METHOD(Uart, "uart16550: enabling the THRE interrupt raises it at once", "[dev][uart]") {
  wr(kMcr, kMcrOut2);
  CHECK_FALSE(irq.level);
  wr(kIer, 0x02);
  CHECK(irq.level);
  CHECK(uart.interrupt_line());
  CHECK(rd(kIir) == 0x02);
  CHECK_FALSE(irq.level);  // reading IIR cleared it
  int rises = irq.rises;
  wr(kData, 'A');  // THR empties at once: a fresh edge
  CHECK(irq.level);
  CHECK(irq.rises == rises + 1);
  CHECK(sent == std::vector<uint8_t>{'A'});
  wr(kIer, 0x00);
  CHECK_FALSE(irq.level);
}

TEST_CASE_METHOD(Uart, "uart16550: OUT2 gates the interrupt onto the ISA line", "[dev][uart]") {
  wr(kIer, 0x01);
  uart.receive('q');
  CHECK(rd(kIir) == 0x04);  // pending in the chip ...
  CHECK_FALSE(irq.level);   // ... but OUT2 is off
  wr(kMcr, kMcrOut2);
  CHECK(irq.level);
  rd(kData);
  CHECK_FALSE(irq.level);
}

TEST_CASE_METHOD(Uart, "uart16550: trigger level and character timeout", "[dev][uart]") {
  baud_115200();
  wr(kMcr, kMcrOut2);
  wr(kIir, 0x81);  // FIFO on, trigger level 8
  wr(kIer, 0x01);
  for (int i = 0; i < 7; ++i) uart.receive('t');
  CHECK(rd(kIir) == 0xC1);  // below the trigger level
  advance(340'000);         // four characters at 115200 8N1 are ~347 us
  CHECK_FALSE(irq.level);
  advance(10'000);
  CHECK(irq.level);
  CHECK(rd(kIir) == 0xCC);  // character timeout
  rd(kData);                // a read clears it and restarts the timer
  CHECK(rd(kIir) == 0xC1);
  CHECK_FALSE(irq.level);
  uart.receive('t');
  uart.receive('t');  // 8 bytes: at the trigger level
  CHECK(rd(kIir) == 0xC4);
  CHECK(irq.level);
}

TEST_CASE_METHOD(Uart, "uart16550: FCR resets the receive FIFO and toggles FIFO mode", "[dev][uart]") {
  wr(kIir, 0x01);
  uart.receive('a');
  uart.receive('b');
  wr(kIir, 0x03);  // reset RX FIFO
  CHECK((rd(kLsr) & 0x01) == 0);
  uart.receive('c');
  wr(kIir, 0x00);  // leaving FIFO mode empties it too
  CHECK((rd(kLsr) & 0x01) == 0);
  CHECK((rd(kIir) & 0xC0) == 0);
  CHECK(uart.rx_room() == 1);
}

TEST_CASE_METHOD(Uart, "uart16550: loopback receives what is sent, and ignores the line", "[dev][uart]") {
  wr(kIir, 0x01);
  wr(kMcr, kMcrLoop);
  CHECK(uart.rx_room() == 0);  // the host should hold its bytes
  uart.receive('!');           // from the line: not heard in loopback
  wr(kData, 'L');
  wr(kData, 'B');
  CHECK(sent.empty());
  CHECK(rd(kData) == 'L');
  CHECK(rd(kData) == 'B');
  CHECK((rd(kLsr) & 0x01) == 0);
}

TEST_CASE_METHOD(Uart, "uart16550: modem status deltas follow the loopback lines", "[dev][uart]") {
  rd(kMsr);
  wr(kMcr, kMcrLoop);  // the attached terminal's CTS/DSR/DCD drop
  CHECK(rd(kMsr) == 0x0B);  // DCTS, DDSR, DDCD; lines all low
  wr(kMcr, kMcrLoop | 0x04);  // OUT1 -> RI rises: no delta (TERI is the trailing edge)
  CHECK(rd(kMsr) == 0x40);
  wr(kMcr, kMcrLoop);  // RI falls
  CHECK(rd(kMsr) == 0x04);
  CHECK(rd(kMsr) == 0x00);
}

TEST_CASE("uart16550: without a clock the character timeout is immediate", "[dev][uart]") {
  bt86::Uart16550 uart([](uint8_t) {});
  uart.write(2, 1, 0xC1);  // trigger level 14
  uart.write(1, 1, 0x01);
  uart.receive('x');
  CHECK(uart.read(2, 1) == 0xCC);
}
