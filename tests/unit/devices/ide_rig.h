// Test support for the IDE tests: a PIIX3 IDE function on an I/O bus, as a
// BIOS leaves it (legacy ports decoded, bus-master registers at 0xC000),
// guest memory for its DMA, and the port sequences a driver uses.
#pragma once
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "bt86/devices/ata.h"
#include "bt86/devices/bus.h"
#include "bt86/devices/piix_ide.h"
#include "edge_sink.h"

namespace bt86::test {

// 1 MiB of "RAM" for the bus master; anything else aborts its cycle.
struct FakeDmaMemory final : DmaMemory {
  std::vector<uint8_t> ram = std::vector<uint8_t>(1 << 20);
  std::vector<std::pair<uint64_t, uint64_t>> writes;
  uint8_t* reach(uint64_t gpa, uint64_t len) override {
    return gpa < ram.size() && len <= ram.size() - gpa ? ram.data() + gpa : nullptr;
  }
  void written(uint64_t gpa, uint64_t len) override { writes.emplace_back(gpa, len); }
  void put32(uint64_t at, uint32_t v) { std::memcpy(&ram[at], &v, 4); }
  // A PRD entry: base, byte count (0: 64 KiB), last?
  void prd(uint64_t at, uint32_t base, uint32_t bytes, bool last) {
    put32(at, base);
    put32(at + 4, (bytes & 0xFFFF) | (last ? 0x80000000u : 0));
  }
};

struct IdeRig {
  static constexpr uint16_t kCmd = 0x1F0, kCtl = 0x3F6, kBm = 0xC000;
  enum Reg : uint16_t { kData = 0, kError = 1, kFeature = 1, kCount = 2, kLbaLow = 3, kLbaMid = 4, kLbaHigh = 5,
                        kDevice = 6, kStatus = 7, kCommand = 7 };
  Bus io{"port I/O"};
  EdgeSink irq;
  FakeDmaMemory memory;
  PiixIde piix{io, irq, memory};

  IdeRig() { piix.configure_as_firmware_would(kBm); }

  uint8_t in(uint16_t reg) { return static_cast<uint8_t>(io.read(kCmd + reg, 1)); }
  void out(uint16_t reg, uint8_t v) { io.write(kCmd + reg, 1, v); }
  uint8_t alt_status() { return static_cast<uint8_t>(io.read(kCtl, 1)); }
  void control(uint8_t v) { io.write(kCtl, 1, v); }
  uint16_t data() { return static_cast<uint16_t>(io.read(kCmd, 2)); }
  // rep insw of n bytes.
  std::vector<uint8_t> read_bytes(size_t n) {
    std::vector<uint8_t> out(n);
    for (size_t i = 0; i < n; i += 2) {
      uint16_t w = data();
      out[i] = static_cast<uint8_t>(w), out[i + 1] = static_cast<uint8_t>(w >> 8);
    }
    return out;
  }
  void write_bytes(const std::vector<uint8_t>& bytes) {
    for (size_t i = 0; i < bytes.size(); i += 2) io.write(kCmd, 2, bytes[i] | bytes[i + 1] << 8);
  }
  // An LBA28 command to device 0.
  void lba28(uint8_t command, uint32_t lba, uint8_t count) {
    out(kCount, count);
    out(kLbaLow, static_cast<uint8_t>(lba));
    out(kLbaMid, static_cast<uint8_t>(lba >> 8));
    out(kLbaHigh, static_cast<uint8_t>(lba >> 16));
    out(kDevice, static_cast<uint8_t>(0xE0 | (lba >> 24 & 0x0F)));
    out(kCommand, command);
  }
  // The bus master: PRD table address, direction, start (channel 0).
  void bm_start(uint32_t table, bool to_memory) {
    io.write(kBm + 4, 4, table);
    io.write(kBm, 1, to_memory ? 0x08 : 0x00);
    io.write(kBm + 2, 1, 0x06);  // clear Interrupt and Error
    io.write(kBm, 1, to_memory ? 0x09 : 0x01);
  }
  uint8_t bm_status() { return static_cast<uint8_t>(io.read(kBm + 2, 1)); }
};

inline std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + i / 512);
  return v;
}

}  // namespace bt86::test
