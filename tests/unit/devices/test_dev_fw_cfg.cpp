// devices/fw_cfg.h and devices/test_ports.h: fw_cfg's selector and data
// port, its numbered items and file directory; pc-testdev's latch at byte
// lanes and the flush-page port; Bochs' shutdown port.
#include <catch2/catch.hpp>

#include <string>

#include "bt86/devices/fw_cfg.h"
#include "bt86/devices/test_ports.h"

namespace {
struct Cfg {
  bt86::FwCfg cfg;
  void select(uint16_t key) { cfg.write(0, 2, key); }
  std::vector<uint8_t> bytes(size_t n) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(cfg.read(1, 1)));
    return out;
  }
  uint64_t le(uint16_t key, unsigned n) {
    select(key);
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= uint64_t{cfg.read(1, 1)} << (8 * i);
    return v;
  }
  uint32_t be32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | cfg.read(1, 1);
    return v;
  }
};
}  // namespace

TEST_CASE("fw_cfg: signature, interface ID and numbered items", "[dev][fw_cfg]") {
  Cfg c;
  c.select(bt86::FwCfg::kSignature);
  CHECK(c.bytes(4) == std::vector<uint8_t>{'Q', 'E', 'M', 'U'});
  CHECK(c.bytes(2) == std::vector<uint8_t>{0, 0});  // past the end: zeros
  CHECK(c.le(bt86::FwCfg::kId, 4) == 1);             // traditional interface, no DMA
  c.cfg.set_u16(bt86::FwCfg::kCpuCount, 1);
  c.cfg.set_u64(bt86::FwCfg::kRamSize, 256ull << 20);
  CHECK(c.le(bt86::FwCfg::kCpuCount, 2) == 1);
  CHECK(c.le(bt86::FwCfg::kRamSize, 8) == 256ull << 20);
  CHECK(c.le(0x1234, 4) == 0);  // no such item
  // Selecting again starts from the beginning; byte writes change nothing.
  c.select(bt86::FwCfg::kSignature);
  c.cfg.read(1, 1);
  c.cfg.write(1, 1, 0xAA);
  c.select(bt86::FwCfg::kSignature);
  CHECK(c.cfg.read(1, 1) == 'Q');
  CHECK(c.cfg.read(0, 1) == 'E');  // either port reads data
}

TEST_CASE("fw_cfg: the file directory lists files with their keys", "[dev][fw_cfg]") {
  Cfg c;
  c.cfg.add_file("etc/e820", std::vector<uint8_t>(40, 0x11));
  c.cfg.add_file("etc/other", {1, 2, 3});
  c.select(bt86::FwCfg::kFileDir);
  CHECK(c.be32() == 2);
  CHECK(c.be32() == 40);
  CHECK((c.bytes(4) == std::vector<uint8_t>{0x00, 0x20, 0, 0}));  // key 0x20, reserved
  auto name = c.bytes(56);
  CHECK(std::string(name.begin(), name.begin() + 8) == "etc/e820");
  CHECK(name[8] == 0);
  CHECK(c.be32() == 3);
  CHECK((c.bytes(4) == std::vector<uint8_t>{0x00, 0x21, 0, 0}));
  c.select(0x21);
  CHECK(c.bytes(4) == std::vector<uint8_t>{1, 2, 3, 0});
}

TEST_CASE("pc-testdev latch: byte lanes of a 32-bit register", "[dev][testdev]") {
  bt86::TestLatch latch;
  latch.write(0, 4, 0x11223344);
  CHECK(latch.read(0, 4) == 0x11223344);
  CHECK(latch.read(1, 1) == 0x33);
  CHECK(latch.read(2, 2) == 0x1122);
  latch.write(3, 1, 0xAB);
  CHECK(latch.read(0, 4) == 0xAB223344);
  latch.write(0, 2, 0x5566);
  CHECK(latch.read(0, 4) == 0xAB225566);
  bt86::TestFlushPage flush;
  flush.write(0, 4, 0x1000);
  CHECK(flush.flushes() == 1);
}

TEST_CASE("bochs shutdown port: \"Shutdown\" in order powers off", "[dev][testdev]") {
  int offs = 0;
  bt86::BochsShutdownPort port([&] { ++offs; });
  for (char ch : std::string("ShutShutdow")) port.write(0, 1, static_cast<uint8_t>(ch));
  CHECK(offs == 0);
  port.write(0, 1, 'n');
  CHECK(offs == 1);
  for (char ch : std::string("Shutdown")) port.write(0, 1, static_cast<uint8_t>(ch == 'w' ? 'W' : ch));
  CHECK(offs == 1);
}
