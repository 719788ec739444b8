// devices/rtc146818.h: the clock registers in each format, the update cycle
// (UIP) and the interrupt flags measured on a VirtualClock, and the CMOS
// bytes a BIOS would have left.
#include <catch2/catch.hpp>

#include "edge_sink.h"
#include "bt86/devices/rtc146818.h"

namespace {

constexpr uint64_t kMs = 1'000'000, kUs = 1'000, kS = 1'000'000'000;
constexpr int64_t kLeapDay = 1709214359;  // 2024-02-29 13:45:59 UTC, a Thursday

struct Rtc {
  bt86::VirtualClock clock;
  bt86::EventQueue events;
  bt86::test::EdgeSink irq8;
  bt86::Rtc146818 rtc{clock, events, bt86::IrqLine(irq8, 8), 256ull << 20,
                      bt86::Rtc146818::WallTime{kLeapDay, 0}};

  uint8_t rd(uint8_t index) {
    rtc.write(0, 1, index);
    return static_cast<uint8_t>(rtc.read(1, 1));
  }
  void wr(uint8_t index, uint8_t value) {
    rtc.write(0, 1, index);
    rtc.write(1, 1, value);
  }
  void advance(uint64_t ns) {
    clock.advance(ns);
    events.run_expired(clock.now_ns());
  }
};

}  // namespace

TEST_CASE_METHOD(Rtc, "rtc: BCD 24-hour time is what a BIOS leaves", "[dev][rtc]") {
  CHECK(rd(0x0B) == 0x02);
  CHECK(rd(0x00) == 0x59);
  CHECK(rd(0x02) == 0x45);
  CHECK(rd(0x04) == 0x13);
  CHECK(rd(0x06) == 0x05);  // Thursday, Sunday being 1
  CHECK(rd(0x07) == 0x29);
  CHECK(rd(0x08) == 0x02);
  CHECK(rd(0x09) == 0x24);
  CHECK(rd(0x32) == 0x20);  // century
}

TEST_CASE_METHOD(Rtc, "rtc: binary mode shows the same time in binary", "[dev][rtc]") {
  wr(0x0B, 0x06);
  CHECK(rd(0x00) == 59);
  CHECK(rd(0x02) == 45);
  CHECK(rd(0x04) == 13);
  CHECK(rd(0x07) == 29);
  CHECK(rd(0x09) == 24);
  CHECK(rd(0x32) == 20);
}

TEST_CASE_METHOD(Rtc, "rtc: 12-hour mode marks PM in bit 7", "[dev][rtc]") {
  wr(0x0B, 0x00);  // BCD, 12-hour
  CHECK(rd(0x04) == 0x81);  // 1 PM
  wr(0x0B, 0x04);  // binary, 12-hour
  CHECK(rd(0x04) == 0x81);
  wr(0x04, 0x0C);  // 12 AM written in 12-hour binary: midnight
  wr(0x0B, 0x06);
  CHECK(rd(0x04) == 0);
  wr(0x0B, 0x00);
  CHECK(rd(0x04) == 0x12);  // midnight reads as 12 AM
}

TEST_CASE_METHOD(Rtc, "rtc: the time advances with the clock, across a leap day", "[dev][rtc]") {
  advance(kS);
  CHECK(rd(0x00) == 0x00);
  CHECK(rd(0x02) == 0x46);
  // Set 23:59:58 with updates inhibited, then let it run.
  wr(0x0B, 0x82);
  wr(0x04, 0x23);
  wr(0x02, 0x59);
  wr(0x00, 0x58);
  advance(5 * kS);
  CHECK(rd(0x00) == 0x58);  // SET holds the time
  wr(0x0B, 0x02);
  advance(2 * kS);
  CHECK(rd(0x00) == 0x00);
  CHECK(rd(0x04) == 0x00);
  CHECK(rd(0x07) == 0x01);
  CHECK(rd(0x08) == 0x03);  // March 1st
  CHECK(rd(0x06) == 0x06);  // a Friday
}

TEST_CASE_METHOD(Rtc, "rtc: UIP covers the 244 us warning and the update cycle", "[dev][rtc]") {
  CHECK((rd(0x0A) & 0x80) == 0);
  advance(kS - 2228 * kUs - 1);
  CHECK((rd(0x0A) & 0x80) == 0);
  CHECK(rd(0x00) == 0x59);
  advance(1);
  CHECK((rd(0x0A) & 0x80) == 0x80);
  advance(2228 * kUs - 244 * kUs);
  CHECK((rd(0x0A) & 0x80) == 0x80);  // the last 244 us
  CHECK(rd(0x00) == 0x59);           // the old time until the update ends
  advance(244 * kUs);
  CHECK((rd(0x0A) & 0x80) == 0);
  CHECK(rd(0x00) == 0x00);
  // SET stops updates, and UIP with them.
  advance(kS - 100 * kUs);
  wr(0x0B, 0x82);
  CHECK((rd(0x0A) & 0x80) == 0);
}

TEST_CASE_METHOD(Rtc, "rtc: the periodic flag sets after one period and reading C clears it", "[dev][rtc]") {
  CHECK(rd(0x0A) == 0x26);  // 32.768 kHz time base, 1024 Hz: 976.5625 us
  CHECK(rd(0x0C) == 0x00);
  advance(976 * kUs);
  CHECK(rd(0x0C) == 0x00);
  advance(1 * kUs);
  CHECK(rd(0x0C) == 0x40);  // PF without PIE: no IRQF
  CHECK(rd(0x0C) == 0x00);  // cleared by the read
  CHECK_FALSE(irq8.level);
}

TEST_CASE_METHOD(Rtc, "rtc: periodic interrupts on IRQ8 until register C is read", "[dev][rtc]") {
  wr(0x0A, 0x2F);  // 2 Hz
  wr(0x0B, 0x42);  // PIE
  advance(499 * kMs);
  CHECK_FALSE(irq8.level);
  advance(1 * kMs);
  CHECK(irq8.level);
  CHECK(irq8.rises == 1);
  advance(2 * kS);  // no read: the line stays up, no new edges
  CHECK(irq8.rises == 1);
  CHECK((rd(0x0C) & 0xC0) == 0xC0);  // IRQF | PF (UF is set too: seconds passed)
  CHECK_FALSE(irq8.level);
  advance(500 * kMs);
  CHECK(irq8.rises == 2);
  wr(0x0B, 0x02);  // PIE off
  rd(0x0C);
  advance(5 * kS);
  CHECK(irq8.rises == 2);
  CHECK_FALSE(events.next_deadline().has_value());  // nothing left to time
}

TEST_CASE_METHOD(Rtc, "rtc: update-ended interrupt at each second", "[dev][rtc]") {
  wr(0x0B, 0x12);  // UIE
  advance(kS - 1);
  CHECK_FALSE(irq8.level);
  advance(1);
  CHECK(irq8.level);
  CHECK((rd(0x0C) & 0xB0) == 0x90);  // IRQF | UF (PF runs at 1024 Hz regardless)
  CHECK(rd(0x00) == 0x00);
  wr(0x0B, 0x92);  // SET clears UIE
  CHECK(rd(0x0B) == 0x82);
}

TEST_CASE_METHOD(Rtc, "rtc: the alarm fires when the time matches", "[dev][rtc]") {
  wr(0x01, 0x05);  // 13:46:05
  wr(0x03, 0x46);
  wr(0x05, 0x13);
  wr(0x0B, 0x22);  // AIE
  advance(5 * kS);  // 13:46:04
  CHECK_FALSE(irq8.level);
  CHECK((rd(0x0C) & 0x20) == 0);
  advance(kS);
  CHECK(irq8.level);
  CHECK((rd(0x0C) & 0xB0) == 0xB0);  // IRQF | AF | UF
  // Don't-care bytes (0xC0-0xFF) match every second.
  wr(0x01, 0xFF);
  wr(0x03, 0xFF);
  wr(0x05, 0xFF);
  advance(kS);
  CHECK((rd(0x0C) & 0xB0) == 0xB0);
}

TEST_CASE_METHOD(Rtc, "rtc: register D reports valid RAM and time", "[dev][rtc]") {
  CHECK(rd(0x0D) == 0x80);
  wr(0x0D, 0x00);
  CHECK(rd(0x0D) == 0x80);
}

TEST_CASE_METHOD(Rtc, "rtc: a divider reset holds time; the first update is 500 ms after", "[dev][rtc]") {
  wr(0x0A, 0x76);  // reset the divider chain
  advance(3 * kS);
  CHECK(rd(0x00) == 0x59);
  wr(0x0A, 0x26);
  advance(499 * kMs);
  CHECK(rd(0x00) == 0x59);
  advance(1 * kMs);
  CHECK(rd(0x00) == 0x00);
}

TEST_CASE_METHOD(Rtc, "rtc: index bit 7 masks NMI and still selects the register", "[dev][rtc]") {
  CHECK(rtc.nmi_enabled());
  rtc.write(0, 1, 0x80 | 0x09);
  CHECK_FALSE(rtc.nmi_enabled());
  CHECK(rtc.read(1, 1) == 0x24);
  rtc.write(0, 1, 0x09);
  CHECK(rtc.nmi_enabled());
}

TEST_CASE_METHOD(Rtc, "rtc: CMOS RAM holds what is written", "[dev][rtc]") {
  wr(0x40, 0xA5);
  wr(0x7F, 0x5A);
  CHECK(rd(0x40) == 0xA5);
  CHECK(rd(0x7F) == 0x5A);
}

TEST_CASE("rtc: CMOS memory sizes follow the RAM size", "[dev][rtc]") {
  auto big = bt86::pc_cmos_image(256ull << 20);
  CHECK(big[0x15] == 0x80);  // 640 KiB base memory
  CHECK(big[0x16] == 0x02);
  CHECK(big[0x17] == 0xFF);  // 255 MiB in KiB saturates the 16-bit field
  CHECK(big[0x18] == 0xFF);
  CHECK(big[0x30] == 0xFF);
  CHECK(big[0x31] == 0xFF);
  CHECK(big[0x34] == 0x00);  // (256 - 16) MiB / 64 KiB = 3840 = 0x0F00
  CHECK(big[0x35] == 0x0F);
  CHECK(big[0x14] == 0x02);  // FPU present
  CHECK(big[0x10] == 0x00);
  CHECK(big[0x12] == 0x00);

  auto small = bt86::pc_cmos_image(8ull << 20);
  CHECK(small[0x17] == 0x00);  // 7 MiB = 7168 KiB = 0x1C00
  CHECK(small[0x18] == 0x1C);
  CHECK(small[0x30] == 0x00);
  CHECK(small[0x31] == 0x1C);
  CHECK(small[0x34] == 0x00);
  CHECK(small[0x35] == 0x00);
  unsigned sum = 0;
  for (unsigned i = 0x10; i <= 0x2D; ++i) sum += small[i];
  CHECK(small[0x2E] == (sum >> 8));
  CHECK(small[0x2F] == (sum & 0xFF));
}

TEST_CASE("rtc: construction takes the time of day from the host", "[dev][rtc]") {
  bt86::VirtualClock clock;
  bt86::EventQueue events;
  bt86::Rtc146818 rtc(clock, events, {}, 64ull << 20);
  rtc.write(0, 1, 0x32);
  auto century = rtc.read(1, 1);
  CHECK(century >= 0x20);
  rtc.write(0, 1, 0x08);
  auto month = rtc.read(1, 1);
  CHECK(month >= 0x01);
  CHECK(month <= 0x12);
}

TEST_CASE("rtc: the CMOS memory sizes of a PC BIOS, above 4 GiB too", "[dev][rtc]") {
  const auto small = bt86::pc_cmos_image(32ull << 20);
  CHECK((small[0x15] | small[0x16] << 8) == 640);
  CHECK((small[0x17] | small[0x18] << 8) == 31 * 1024);  // KiB above 1 MiB
  CHECK((small[0x30] | small[0x31] << 8) == 31 * 1024);
  CHECK((small[0x34] | small[0x35] << 8) == 16 * 16);  // 64 KiB blocks above 16 MiB
  CHECK(small[0x5B] == 0);
  const auto big = bt86::pc_cmos_image(5ull << 30);
  CHECK((big[0x17] | big[0x18] << 8) == 0xFFFF);  // saturated
  CHECK((big[0x5B] | big[0x5C] << 8 | big[0x5D] << 16) == (1u << 30) / 65536);
}
