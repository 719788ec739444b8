// devices/pit8254.h: counters measured against a VirtualClock (so every
// tick is exact), latches, read-back, OUT per mode, IRQ0 edges, and channel
// 2 through port 0x61 as Linux's TSC calibration uses it.
#include <catch2/catch.hpp>

#include <array>

#include "edge_sink.h"
#include "bt86/devices/pit8254.h"

namespace {

struct Pit {
  bt86::VirtualClock clock;
  bt86::EventQueue events;
  bt86::test::EdgeSink irq0;
  bt86::Pit8254 pit{clock, events, bt86::IrqLine(irq0, 0)};
  bt86::SystemControlPortB port61{pit};

  void out(uint16_t port, uint8_t v) {
    if (port == 0x61) port61.write(0, 1, v);
    else pit.write(port - 0x40, 1, v);
  }
  uint8_t in(uint16_t port) {
    return static_cast<uint8_t>(port == 0x61 ? port61.read(0, 1) : pit.read(port - 0x40, 1));
  }
  // Moves time to the start of input-clock tick t and runs due timers.
  void to_tick(uint64_t t) {
    uint64_t ns = bt86::Pit8254::ns_at(t);
    REQUIRE(ns >= clock.now_ns());
    clock.advance(ns - clock.now_ns());
    events.run_expired(clock.now_ns());
  }
  uint64_t tick() const { return pit.ticks_now(); }
  void program(unsigned ch, unsigned mode, uint16_t count, bool bcd = false) {
    out(0x43, static_cast<uint8_t>(ch << 6 | 0x30 | mode << 1 | (bcd ? 1 : 0)));
    out(static_cast<uint16_t>(0x40 + ch), static_cast<uint8_t>(count));
    out(static_cast<uint16_t>(0x40 + ch), static_cast<uint8_t>(count >> 8));
  }
  uint16_t read_pair(unsigned ch) {
    uint16_t lo = in(static_cast<uint16_t>(0x40 + ch));
    return static_cast<uint16_t>(lo | in(static_cast<uint16_t>(0x40 + ch)) << 8);
  }
  uint16_t latched(unsigned ch) {
    out(0x43, static_cast<uint8_t>(ch << 6));  // counter latch command
    return read_pair(ch);
  }
  uint8_t status(unsigned ch) {
    out(0x43, static_cast<uint8_t>(0xE0 | 2u << ch));  // read-back: status only
    return in(static_cast<uint16_t>(0x40 + ch));
  }
  bool out_pin(unsigned ch) { return status(ch) & 0x80; }
};

}  // namespace

TEST_CASE_METHOD(Pit, "pit: ticks and nanoseconds convert exactly at 1.193182 MHz", "[dev][pit]") {
  CHECK(bt86::Pit8254::ticks_at(1'000'000'000) == 1'193'182);
  CHECK(bt86::Pit8254::ticks_at(3'600'000'000'000ull) == 3600ull * 1'193'182);
  for (uint64_t t : {1ull, 2ull, 1193ull, 1'193'181ull, 1'193'183ull, 987'654'321ull}) {
    uint64_t ns = bt86::Pit8254::ns_at(t);
    CHECK(bt86::Pit8254::ticks_at(ns) == t);
    CHECK(bt86::Pit8254::ticks_at(ns - 1) == t - 1);  // the first ns of the tick
  }
}

TEST_CASE_METHOD(Pit, "pit: mode 2 counts down one per input clock and reloads", "[dev][pit]") {
  to_tick(10);
  program(0, 2, 1000);  // loads on the next clock, tick 11
  to_tick(11);
  CHECK(latched(0) == 1000);
  to_tick(111);
  CHECK(latched(0) == 900);
  to_tick(1010);
  CHECK(latched(0) == 1);
  CHECK_FALSE(out_pin(0));  // OUT is low while the count is 1
  to_tick(1011);
  CHECK(latched(0) == 1000);  // reloaded
  CHECK(out_pin(0));

  // Against wall time: 1 ms is 1193.182 input clocks.
  uint16_t before = latched(0);
  clock.advance(1'000'000);
  uint16_t after = latched(0);
  int elapsed = (before - after + 1000) % 1000;
  CHECK((elapsed == 193 || elapsed == 194));  // 1193 or 1194 mod the period
}

TEST_CASE_METHOD(Pit, "pit: a latched count holds still until it is read", "[dev][pit]") {
  program(1, 2, 5000);
  to_tick(101);
  out(0x43, 0x40);  // latch counter 1 at tick 101: 5000 - 100
  to_tick(400);
  out(0x43, 0x40);  // a second latch before reading is ignored
  CHECK(read_pair(1) == 4900);
  CHECK(read_pair(1) == 5000 - 399);  // unlatched again: live value
  CHECK(latched(1) == 5000 - 399);
}

TEST_CASE_METHOD(Pit, "pit: read-back returns status, then the count", "[dev][pit]") {
  to_tick(5);
  out(0x43, 0x74);  // counter 1, lo/hi, mode 2, binary
  // No count written yet: null count set, OUT high in mode 2.
  CHECK(status(1) == (0x80 | 0x40 | 0x34));
  out(0x41, 0x10);
  out(0x41, 0x00);
  CHECK((status(1) & 0x40) == 0x40);  // not loaded before the next clock
  to_tick(6);
  CHECK(status(1) == (0x80 | 0x34));
  to_tick(16);
  out(0x43, 0xC4);  // read-back counter 1: count and status
  CHECK(in(0x41) == (0x80 | 0x34));
  CHECK(read_pair(1) == 16 - 10);
}

TEST_CASE_METHOD(Pit, "pit: mode 0 OUT rises at terminal count and raises IRQ0", "[dev][pit]") {
  to_tick(1000);
  int rises = irq0.rises;
  program(0, 0, 100);  // written at tick 1000: OUT high 101 clocks later
  CHECK_FALSE(irq0.level);  // mode 0 drops OUT at once
  CHECK(events.next_deadline() == bt86::Pit8254::ns_at(1101));
  to_tick(1100);
  CHECK_FALSE(out_pin(0));
  CHECK_FALSE(irq0.level);
  to_tick(1101);
  CHECK(out_pin(0));
  CHECK(irq0.level);
  CHECK(irq0.rises == rises + 1);
  to_tick(100000);  // one-shot: OUT stays high, no more edges
  CHECK(out_pin(0));
  CHECK(irq0.rises == rises + 1);
  CHECK_FALSE(events.next_deadline().has_value());
}

TEST_CASE_METHOD(Pit, "pit: mode 0 two-byte write stops counting at the first byte", "[dev][pit]") {
  program(0, 0, 10);
  to_tick(20);
  REQUIRE(out_pin(0));
  out(0x40, 0x20);  // LSB of a new count
  CHECK_FALSE(out_pin(0));
  CHECK_FALSE(irq0.level);
  to_tick(100);
  CHECK_FALSE(out_pin(0));  // waiting for the MSB
  out(0x40, 0x00);  // count 0x20 loads on the next clock
  to_tick(100 + 1 + 0x20);
  CHECK(out_pin(0));
}

TEST_CASE_METHOD(Pit, "pit: mode 2 delivers one IRQ0 edge per period", "[dev][pit]") {
  program(0, 2, 1193);  // ~1 kHz, loaded at tick 1
  int rises = irq0.rises;
  uint64_t end = bt86::Pit8254::ns_at(11931);  // ~10 ms
  while (events.next_deadline() && *events.next_deadline() <= end) {
    clock.advance(*events.next_deadline() - clock.now_ns());
    events.run_expired(clock.now_ns());
  }
  CHECK(irq0.rises - rises == 10);  // at ticks 1 + 1193k, k = 1..10
  CHECK(irq0.level);
}

TEST_CASE_METHOD(Pit, "pit: a late timer run sends every missed period as an edge, with no backlog", "[dev][pit]") {
  program(0, 2, 100);
  int rises = irq0.rises;
  to_tick(10'000);  // 100 periods pass before the queue runs
  CHECK(irq0.rises - rises == 99);  // rises at 101, 201, ... 9901
  REQUIRE(events.next_deadline());
  CHECK(*events.next_deadline() > clock.now_ns());  // the next edge, not a backlog
  CHECK(*events.next_deadline() == bt86::Pit8254::ns_at(10'001));
}

TEST_CASE_METHOD(Pit, "pit: mode 3 square wave, even and odd counts", "[dev][pit]") {
  to_tick(100);
  program(1, 3, 10);  // loads at 101: high 5 clocks, low 5
  std::array<bool, 20> even{};
  std::array<uint16_t, 10> even_count{};
  for (unsigned i = 0; i < 20; ++i) {
    to_tick(101 + i);
    even[i] = out_pin(1);
    if (i < 10) even_count[i] = latched(1);
  }
  CHECK(even == std::array<bool, 20>{1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0});
  CHECK(even_count == std::array<uint16_t, 10>{10, 8, 6, 4, 2, 10, 8, 6, 4, 2});

  program(1, 3, 5);  // odd: high 3 clocks, low 2
  uint64_t t0 = tick() + 1;
  std::array<bool, 10> odd{};
  std::array<uint16_t, 5> odd_count{};
  for (unsigned i = 0; i < 10; ++i) {
    to_tick(t0 + i);
    odd[i] = out_pin(1);
    if (i < 5) odd_count[i] = latched(1);
  }
  CHECK(odd == std::array<bool, 10>{1, 1, 1, 0, 0, 1, 1, 1, 0, 0});
  CHECK(odd_count == std::array<uint16_t, 5>{5, 4, 2, 5, 2});
}

TEST_CASE_METHOD(Pit, "pit: mode 4 strobes OUT low for one clock", "[dev][pit]") {
  to_tick(50);
  program(1, 4, 5);  // loads at 51, terminal count at 56
  to_tick(55);
  CHECK(out_pin(1));
  to_tick(56);
  CHECK_FALSE(out_pin(1));
  to_tick(57);
  CHECK(out_pin(1));
  to_tick(60000);
  CHECK(out_pin(1));  // no repeat
}

TEST_CASE_METHOD(Pit, "pit: a new mode 2 count takes over at the end of the period", "[dev][pit]") {
  program(1, 2, 100);  // loaded at tick 1
  to_tick(51);
  out(0x41, 10);
  out(0x41, 0);
  CHECK(latched(1) == 50);  // the current period continues
  to_tick(101);
  CHECK(latched(1) == 10);  // the new count from the reload on
  to_tick(111);
  CHECK(latched(1) == 10);
}

TEST_CASE_METHOD(Pit, "pit: BCD counting", "[dev][pit]") {
  program(1, 0, 0x0100, true);  // 100 in BCD, loads at tick 1
  to_tick(10);
  CHECK(latched(1) == 0x0091);
  to_tick(101);
  CHECK(latched(1) == 0x0000);
  to_tick(102);
  CHECK(latched(1) == 0x9999);  // wraps in decimal
}

TEST_CASE_METHOD(Pit, "pit: LSB-only and MSB-only access", "[dev][pit]") {
  to_tick(10);
  out(0x43, 0x50);  // counter 1, LSB only, mode 0
  out(0x41, 0x20);
  to_tick(11);
  out(0x43, 0x40);
  CHECK(in(0x41) == 0x20);  // one byte per read
  out(0x43, 0x60);  // MSB only
  out(0x41, 0x01);  // count 0x100
  to_tick(12 + 0x10);
  out(0x43, 0x40);
  CHECK(in(0x41) == 0x00);  // 0x100 - 0x10 = 0xF0: MSB 0
}

TEST_CASE_METHOD(Pit, "pit: channel 2 runs only while port 0x61 opens its gate", "[dev][pit]") {
  out(0x61, 0x00);
  CHECK((in(0x61) & 0x01) == 0);
  program(2, 0, 50);
  to_tick(200);
  CHECK((in(0x61) & 0x20) == 0);  // gate low: mode 0 holds
  out(0x61, 0x01);                // gate high at tick 200
  CHECK((in(0x61) & 0x01) == 0x01);
  to_tick(249);
  CHECK((in(0x61) & 0x20) == 0);
  to_tick(250);
  CHECK((in(0x61) & 0x20) == 0x20);  // OUT2 after 50 counted clocks
}

TEST_CASE_METHOD(Pit, "pit: Linux-style calibration reads channel 2 exactly", "[dev][pit]") {
  // pit_calibrate_tsc: gate on, speaker off, mode 0, count 0xFFFF, then
  // read LSB/MSB pairs and wait for OUT2 in bit 5.
  out(0x61, static_cast<uint8_t>((in(0x61) & ~0x02) | 0x01));
  out(0x43, 0xB0);
  out(0x42, 0xFF);
  out(0x42, 0xFF);
  uint64_t load = tick() + 1;
  for (uint64_t d : {0ull, 1ull, 1193ull, 11931ull, 65534ull}) {
    to_tick(load + d);
    CHECK(read_pair(2) == 0xFFFF - d);
    CHECK((in(0x61) & 0x20) == 0);
  }
  to_tick(load + 0xFFFF);
  CHECK((in(0x61) & 0x20) == 0x20);
}

TEST_CASE_METHOD(Pit, "pit: mode 1 on channel 2 is triggered by the gate", "[dev][pit]") {
  out(0x61, 0x00);
  program(2, 1, 10);
  to_tick(100);
  CHECK((in(0x61) & 0x20) == 0x20);  // not triggered: OUT high
  out(0x61, 0x01);                   // rising gate at 100: loads at 101
  to_tick(101);
  CHECK((in(0x61) & 0x20) == 0);
  to_tick(110);
  CHECK((in(0x61) & 0x20) == 0);
  to_tick(111);
  CHECK((in(0x61) & 0x20) == 0x20);
}

TEST_CASE_METHOD(Pit, "pit: port 0x61 refresh bit toggles with time", "[dev][pit]") {
  to_tick(0);
  uint8_t a = in(0x61) & 0x10;
  to_tick(18);
  uint8_t b = in(0x61) & 0x10;
  to_tick(36);
  uint8_t c = in(0x61) & 0x10;
  CHECK(a != b);
  CHECK(a == c);
}

TEST_CASE_METHOD(Pit, "pit: power-on channel 0 ticks at 18.2 Hz", "[dev][pit]") {
  CHECK(status(0) == (0x80 | 0x40 | 0x36));  // mode 3, lo/hi, OUT high, loading
  int rises = irq0.rises;
  uint64_t end = 1'000'000'000;
  while (events.next_deadline() && *events.next_deadline() <= end) {
    clock.advance(*events.next_deadline() - clock.now_ns());
    events.run_expired(clock.now_ns());
  }
  CHECK(irq0.rises - rises == 18);  // 1193182 / 65536 = 18.2
}
