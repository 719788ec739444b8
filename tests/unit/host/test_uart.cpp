// The register semantics a serial driver probes on devices/uart16550.h, and
// the two tiny test-kernel devices: isa-debug-exit and the POST port.
#include <catch2/catch.hpp>

#include <vector>

#include "bt86/devices/debug_exit.h"
#include "bt86/devices/post_port.h"
#include "bt86/devices/run_control.h"
#include "bt86/devices/uart16550.h"
#include "bt86/host/machine.h"

namespace {

enum : uint64_t { kRbrThr = 0, kIer = 1, kIirFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7 };
constexpr uint32_t kLsrDataReady = 0x01, kLsrThre = 0x20, kLsrTemt = 0x40;
constexpr uint32_t kLcrDlab = 0x80;
constexpr uint32_t kMcrLoop = 0x10;

struct UartFixture {
  std::vector<uint8_t> sent;
  bt86::Uart16550 uart{[this](uint8_t byte) { sent.push_back(byte); }};
  uint32_t rd(uint64_t reg) { return uart.read(reg, 1); }
  void wr(uint64_t reg, uint32_t v) { uart.write(reg, 1, v); }
};

}  // namespace

TEST_CASE_METHOD(UartFixture, "uart: THR writes reach the sink in order", "[uart]") {
  wr(kRbrThr, 'h');
  wr(kRbrThr, 'i');
  wr(kRbrThr, 0x1FF);  // only the low byte is a character
  CHECK(sent == std::vector<uint8_t>{'h', 'i', 0xFF});
  CHECK(uart.bytes_transmitted() == 3);
}

TEST_CASE_METHOD(UartFixture, "uart: LSR says the transmitter is empty and idle", "[uart]") {
  CHECK((rd(kLsr) & (kLsrThre | kLsrTemt)) == (kLsrThre | kLsrTemt));
  CHECK((rd(kLsr) & kLsrDataReady) == 0);  // nothing received
  wr(kRbrThr, 'x');  // transmission is instantaneous
  CHECK((rd(kLsr) & (kLsrThre | kLsrTemt)) == (kLsrThre | kLsrTemt));
}

TEST_CASE_METHOD(UartFixture, "uart: DLAB switches offsets 0 and 1 to the divisor latch", "[uart]") {
  wr(kIer, 0x05);
  wr(kLcr, 0x03 | kLcrDlab);
  wr(kRbrThr, 0x01);  // 115200 baud: divisor 1
  wr(kIer, 0x00);
  CHECK(rd(kRbrThr) == 0x01);
  CHECK(rd(kIer) == 0x00);
  CHECK(uart.divisor() == 1);
  CHECK(sent.empty());  // a divisor write is not a character

  wr(kRbrThr, 0x80);
  wr(kIer, 0x01);
  CHECK(uart.divisor() == 0x0180);
  CHECK(rd(kRbrThr) == 0x80);
  CHECK(rd(kIer) == 0x01);

  wr(kLcr, 0x03);  // DLAB off: IER is back, with the value written earlier
  CHECK(rd(kLcr) == 0x03);
  CHECK(rd(kIer) == 0x05);
  wr(kRbrThr, 'A');
  CHECK(sent == std::vector<uint8_t>{'A'});
  CHECK(uart.divisor() == 0x0180);
}

TEST_CASE_METHOD(UartFixture, "uart: scratch register holds any byte", "[uart]") {
  for (uint32_t v : {0x00u, 0x55u, 0xAAu, 0xFFu}) {
    wr(kScr, v);
    CHECK(rd(kScr) == v);
  }
}

TEST_CASE_METHOD(UartFixture, "uart: IIR reports no interrupt pending, FIFO bits follow FCR", "[uart]") {
  CHECK((rd(kIirFcr) & 0x01) == 0x01);
  wr(kIirFcr, 0x07);  // enable and clear FIFOs
  CHECK((rd(kIirFcr) & 0xC0) == 0xC0);
  wr(kIirFcr, 0x00);
  CHECK((rd(kIirFcr) & 0xC0) == 0x00);
}

TEST_CASE_METHOD(UartFixture, "uart: loopback turns a transmitted byte into a received one", "[uart]") {
  wr(kMcr, kMcrLoop);
  CHECK(rd(kMcr) == kMcrLoop);
  wr(kRbrThr, 0x42);
  CHECK(sent.empty());  // looped back, not sent to the terminal
  CHECK((rd(kLsr) & kLsrDataReady) != 0);
  CHECK(rd(kRbrThr) == 0x42);
  CHECK((rd(kLsr) & kLsrDataReady) == 0);  // reading RBR consumed it

  wr(kMcr, 0x00);  // loopback off: transmission goes out again
  wr(kRbrThr, 0x43);
  CHECK(sent == std::vector<uint8_t>{0x43});
}

TEST_CASE_METHOD(UartFixture, "uart: MSR in loopback mirrors the modem-control outputs", "[uart]") {
  // 16550 datasheet: DTR->DSR (bit 5), RTS->CTS (bit 4), OUT1->RI (bit 6), OUT2->DCD (bit 7).
  struct Case {
    uint32_t mcr, msr_high;
  };
  const Case cases[] = {{0x01, 0x20}, {0x02, 0x10}, {0x04, 0x40}, {0x08, 0x80}, {0x0F, 0xF0}, {0x00, 0x00}};
  for (const Case& c : cases) {
    wr(kMcr, kMcrLoop | c.mcr);
    INFO("MCR = " << (kMcrLoop | c.mcr));
    CHECK((rd(kMsr) & 0xF0) == c.msr_high);
  }
}

TEST_CASE_METHOD(UartFixture, "uart: MSR without loopback shows an attached terminal", "[uart]") {
  // CTS, DSR and DCD set: a driver waiting for CTS would otherwise hang.
  CHECK((rd(kMsr) & 0xB0) == 0xB0);
}

TEST_CASE("debug-exit: a write of v ends the run with status (v << 1) | 1", "[debug_exit]") {
  for (uint32_t v : {0x00u, 0x01u, 0x10u, 0x31u}) {
    bt86::RunControl control;
    bt86::DebugExit dev(control);
    CHECK_FALSE(control.exit_status.has_value());
    dev.write(0, 1, v);
    REQUIRE(control.exit_status.has_value());
    CHECK(*control.exit_status == static_cast<int>((v << 1) | 1));
    CHECK_FALSE(control.reason.empty());
  }
}

TEST_CASE("debug-exit: the first exit request wins", "[debug_exit]") {
  bt86::RunControl control;
  bt86::DebugExit dev(control);
  dev.write(0, 1, 0x10);
  dev.write(0, 1, 0x20);
  CHECK(*control.exit_status == 0x21);
}

TEST_CASE("post-port: keeps the last code written", "[post_port]") {
  bt86::PostPort post;
  CHECK(post.writes() == 0);
  post.write(0, 1, 0x12);
  post.write(0, 1, 0x34);
  CHECK(post.last_code() == 0x34);
  CHECK(post.read(0, 1) == 0x34);
  CHECK(post.writes() == 2);
  post.write(0, 2, 0xAB56);  // a word write keeps only the byte on the port
  CHECK(post.last_code() == 0x56);
}

TEST_CASE("machine: COM1, isa-debug-exit and POST sit at their PC ports", "[uart][debug_exit][post_port]") {
  std::vector<uint8_t> out;
  bt86::Machine m{bt86::MachineConfig{4u << 20, [&out](uint8_t b) { out.push_back(b); }}};
  m.io.write(bt86::Uart16550::kCom1, 1, 'Z');
  CHECK(out == std::vector<uint8_t>{'Z'});
  CHECK((m.io.read(bt86::Uart16550::kCom1 + 5, 1) & kLsrThre) != 0);
  m.io.write(bt86::PostPort::kPort, 1, 0x99);
  CHECK(m.post.last_code() == 0x99);
  CHECK_FALSE(m.control.exit_status.has_value());
  m.io.write(bt86::DebugExit::kPort, 1, 0x05);
  REQUIRE(m.control.exit_status.has_value());
  CHECK(*m.control.exit_status == 0x0B);
  CHECK(m.io.unclaimed_accesses() == 0);
}
