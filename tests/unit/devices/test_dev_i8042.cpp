// devices/i8042.h: the keyboard controller's probes (self test, interface
// test, command byte), the A20 gate and the reset line, port 0x92, and the
// keyboard and aux answers that keep a driver's probe from waiting.
#include <catch2/catch.hpp>

#include <vector>

#include "bt86/devices/i8042.h"

namespace {

struct Sink final : bt86::InterruptSink {
  bool level[16] = {};
  void set_irq(unsigned line, bool high) override { level[line] = high; }
};

struct Kbc {
  Sink irqs;
  int resets = 0;
  std::vector<bool> a20_changes;
  bt86::I8042 kbc{bt86::IrqLine(irqs, 1), bt86::IrqLine(irqs, 12), [this] { ++resets; },
                  [this](bool open) { a20_changes.push_back(open); }};
  bt86::SystemControlPortA port92{kbc};

  uint8_t status() { return static_cast<uint8_t>(kbc.command_device().read(0, 1)); }
  uint8_t data() { return static_cast<uint8_t>(kbc.data_device().read(0, 1)); }
  void command(uint8_t v) { kbc.command_device().write(0, 1, v); }
  void send(uint8_t v) { kbc.data_device().write(0, 1, v); }
  // A driver's polled read: wait for OBF (here: it must already be set).
  uint8_t reply() {
    REQUIRE((status() & 0x01) == 0x01);
    return data();
  }
};

}  // namespace

TEST_CASE_METHOD(Kbc, "i8042: self test answers 0x55 and sets the system flag", "[dev][i8042]") {
  CHECK((status() & 0x01) == 0);  // output buffer empty
  command(0xAA);
  CHECK((status() & 0x08) == 0x08);  // last write was a command
  CHECK(reply() == 0x55);
  CHECK((status() & 0x01) == 0);
  CHECK((status() & 0x04) == 0x04);
}

TEST_CASE_METHOD(Kbc, "i8042: interface tests report no fault", "[dev][i8042]") {
  command(0xAB);
  CHECK(reply() == 0x00);
  command(0xA9);
  CHECK(reply() == 0x00);
}

TEST_CASE_METHOD(Kbc, "i8042: command byte reads and writes through 0x20/0x60", "[dev][i8042]") {
  command(0x20);
  CHECK(reply() == 0x65);  // keyboard IRQ, system flag, aux off, translation
  command(0x60);
  send(0x47);
  CHECK((status() & 0x08) == 0);  // the last write was data
  command(0x20);
  CHECK(reply() == 0x47);
  CHECK(kbc.command_byte() == 0x47);
}

TEST_CASE_METHOD(Kbc, "i8042: 0xAD/0xAE disable and enable the keyboard", "[dev][i8042]") {
  command(0xAD);
  CHECK((kbc.command_byte() & 0x10) == 0x10);
  send(0xF2);                     // identify: the keyboard's answer waits ...
  CHECK((status() & 0x01) == 0);  // ... while its port is disabled
  command(0xAE);
  CHECK((kbc.command_byte() & 0x10) == 0);
  CHECK(reply() == 0xFA);
}

TEST_CASE_METHOD(Kbc, "i8042: a keyboard probe gets ACK and the MF2 id", "[dev][i8042]") {
  send(0xF2);
  CHECK(irqs.level[1]);  // keyboard interrupt enabled in the command byte
  CHECK(reply() == 0xFA);
  CHECK(reply() == 0xAB);
  CHECK(reply() == 0x41);  // 0x83 as translation turns it
  CHECK_FALSE(irqs.level[1]);
  send(0xFF);  // reset
  CHECK(reply() == 0xFA);
  CHECK(reply() == 0xAA);
  send(0xED);  // LEDs, then their argument
  CHECK(reply() == 0xFA);
  send(0x00);
  CHECK(reply() == 0xFA);
}

TEST_CASE_METHOD(Kbc, "i8042: reading an empty buffer repeats the last byte", "[dev][i8042]") {
  command(0xAA);
  CHECK(data() == 0x55);
  CHECK((status() & 0x01) == 0);
  CHECK(data() == 0x55);
}

TEST_CASE_METHOD(Kbc, "i8042: no aux device: its commands time out at once", "[dev][i8042]") {
  command(0xD4);
  send(0xFF);
  uint8_t s = status();
  CHECK((s & 0x01) == 0x01);
  CHECK((s & 0x20) == 0x20);  // aux data
  CHECK((s & 0x40) == 0x40);  // timeout
  CHECK(data() == 0xFE);
  CHECK((status() & 0x60) == 0);
  // The controller's own aux loopback works, as Linux's probe checks.
  command(0xA8);
  command(0xD3);
  send(0x5A);
  CHECK((status() & 0x21) == 0x21);
  CHECK(data() == 0x5A);
}

TEST_CASE_METHOD(Kbc, "i8042: the output port carries A20", "[dev][i8042]") {
  CHECK(kbc.a20());
  command(0xD0);
  CHECK((reply() & 0x03) == 0x03);  // reset inactive, A20 open
  command(0xD1);
  send(0xDD);  // A20 closed
  CHECK_FALSE(kbc.a20());
  CHECK(a20_changes == std::vector<bool>{false});
  command(0xD0);
  CHECK((reply() & 0x02) == 0);
  command(0xD1);
  send(0xDF);
  CHECK(kbc.a20());
  CHECK(a20_changes == std::vector<bool>{false, true});
  CHECK(resets == 0);
}

TEST_CASE_METHOD(Kbc, "i8042: port 0x92 opens A20 too", "[dev][i8042]") {
  command(0xD1);
  send(0xDD);
  REQUIRE_FALSE(kbc.a20());
  port92.write(0, 1, 0x02);
  CHECK(kbc.a20());
  CHECK(port92.read(0, 1) == 0x02);
  port92.write(0, 1, 0x00);
  CHECK_FALSE(kbc.a20());
  CHECK(a20_changes == std::vector<bool>{false, true, false});
}

TEST_CASE_METHOD(Kbc, "i8042: pulsing the reset line resets the machine", "[dev][i8042]") {
  command(0xFE);
  CHECK(resets == 1);
  command(0xFF);  // pulses nothing
  CHECK(resets == 1);
  command(0xD1);
  send(0xFE);  // output port with bit 0 low
  CHECK(resets == 2);
  port92.write(0, 1, 0x01);
  CHECK(resets == 3);
  port92.write(0, 1, 0x01);  // only a 0 -> 1 transition resets
  CHECK(resets == 3);
}
