// host/machine.h with IDE drives: the PIIX3's two functions on the PCI bus,
// the firmware's boot order (fw_cfg "bootorder", CMOS 0x3D) and serial
// console, and host/ram_dma.h: what the bus master may reach.
#include <catch2/catch.hpp>

#include <string>

#include "bt86/devices/block_backend.h"
#include "bt86/host/machine.h"

namespace {

struct Drives {
  bt86::MemoryBackend disk{64 * 512};
  bt86::MemoryBackend cd{8 * 2048, true};
};

// A fw_cfg file's bytes, looked up in the directory as SeaBIOS does.
std::string fw_cfg_file(bt86::Machine& m, const std::string& name) {
  auto select = [&](uint16_t key) { m.io.write(bt86::FwCfg::kPort, 2, key); };
  auto byte = [&] { return static_cast<uint8_t>(m.io.read(bt86::FwCfg::kPort + 1, 1)); };
  auto be = [&](unsigned n) {
    uint32_t v = 0;
    for (unsigned i = 0; i < n; ++i) v = v << 8 | byte();
    return v;
  };
  select(bt86::FwCfg::kFileDir);
  const uint32_t count = be(4);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t size = be(4);
    const auto key = static_cast<uint16_t>(be(2));
    be(2);
    std::string file;
    for (int c = 0; c < 56; ++c)
      if (uint8_t b = byte()) file += static_cast<char>(b);
    if (file != name) continue;
    select(key);
    std::string out;
    for (uint32_t k = 0; k < size; ++k) out += static_cast<char>(byte());
    return out;
  }
  return "(none)";
}

uint32_t pci_read(bt86::Machine& m, unsigned dev, unsigned fn, unsigned reg) {
  m.io.write(0xCF8, 4, 0x80000000u | dev << 11 | fn << 8 | reg);
  return m.io.read(0xCFC, 4);
}

uint8_t cmos(bt86::Machine& m, uint8_t index) {
  m.io.write(0x70, 1, index);
  return static_cast<uint8_t>(m.io.read(0x71, 1));
}

}  // namespace

TEST_CASE("machine: the PIIX3 at 00:01 with a disk and a CD-ROM, booting the CD first", "[host][ide]") {
  Drives d;
  bt86::MachineConfig config{16u << 20, [](uint8_t) {}};
  config.disk = &d.disk;
  config.cdrom = &d.cd;
  config.boot_cdrom_first = true;
  bt86::Machine m(config);
  CHECK(pci_read(m, 1, 0, 0) == 0x70008086);
  CHECK(pci_read(m, 1, 1, 0) == 0x70108086);
  CHECK(fw_cfg_file(m, "bootorder") == "/pci@i0cf8/ide@1,1/drive@1/disk@0\n/pci@i0cf8/ide@1,1/drive@0/disk@0");
  CHECK(fw_cfg_file(m, "etc/sercon-port") == std::string("\xF8\x03", 2));
  CHECK(cmos(m, 0x3D) == 0x23);  // CD-ROM, then hard disk
  REQUIRE(m.disk);
  REQUIRE(m.cdrom);
  CHECK(m.ide.channel(0).drive(0) == m.disk.get());
  CHECK(m.ide.channel(1).drive(0) == m.cdrom.get());
  CHECK(m.ide.channel(0).drive(1) == nullptr);
}

TEST_CASE("machine: without drives, no boot order; the disk first by default", "[host][ide]") {
  bt86::Machine none(bt86::MachineConfig{16u << 20, [](uint8_t) {}});
  CHECK(fw_cfg_file(none, "bootorder") == "(none)");
  CHECK(pci_read(none, 1, 1, 0) == 0x70108086);  // the controller is there all the same
  Drives d;
  bt86::MachineConfig config{16u << 20, [](uint8_t) {}};
  config.disk = &d.disk;
  config.serial_console = false;
  bt86::Machine m(config);
  CHECK(fw_cfg_file(m, "bootorder") == "/pci@i0cf8/ide@1,1/drive@0/disk@0");
  CHECK(fw_cfg_file(m, "etc/sercon-port") == "(none)");
  CHECK(cmos(m, 0x3D) == 0x32);
}

TEST_CASE("ram dma: the bus master reaches RAM only", "[host][ide]") {
  bt86::Machine m(bt86::MachineConfig{16u << 20, [](uint8_t) {}});
  CHECK(m.dma.reach(0x1000, 512) == m.ram.host(0x1000));
  CHECK(m.dma.reach(0xA0000, 16) == nullptr);   // the VGA window
  CHECK(m.dma.reach(0x9FF00, 512) == nullptr);  // running into it
  CHECK(m.dma.reach((16u << 20) - 256, 512) == nullptr);  // past the end of RAM
  CHECK(m.dma.reach(0xFFFFFFF0, 16) == nullptr);
  std::vector<std::pair<uint64_t, uint64_t>> seen;
  m.ram_writes.observer = [&](uint64_t a, uint64_t n) { seen.emplace_back(a, n); };
  m.dma.written(0x2000, 64);
  CHECK(seen == std::vector<std::pair<uint64_t, uint64_t>>{{0x2000, 64}});
}
