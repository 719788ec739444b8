// Port I/O devices of the test conventions kvm-unit-tests relies on:
// - QEMU's pc-testdev ports: 0xE0-0xE3, a 32-bit latch that a byte, word
//   or dword access reads and writes at its byte lanes (port 0xE0 + n is
//   byte n), and 0xE4, "flush page": a dword write of a physical address
//   after which QEMU makes KVM drop its mapping of that page, so that the
//   next access faults in the host. The guest cannot see it happen, and
//   bt86's engine reads guest memory for exception delivery through the
//   page walk anyway: bt86 counts the flushes and does nothing else.
// - Bochs' shutdown port 0x8900: writing the characters of "Shutdown" in
//   order powers the machine off (kvm-unit-tests' fallback after
//   isa-debug-exit).
#pragma once
#include <cstdint>
#include <functional>
#include <string_view>

#include "bt86/devices/device.h"

namespace bt86 {

class TestLatch final : public Device {
public:
  static constexpr uint16_t kPort = 0xE0;
  static constexpr uint64_t kPorts = 4;
  std::string_view name() const override { return "pc-testdev-ioport"; }
  // The bus hands us only accesses inside the four ports.
  uint32_t read(uint64_t offset, unsigned size) override {
    uint64_t mask = (uint64_t{1} << (8 * size)) - 1;
    return static_cast<uint32_t>((value_ >> (8 * offset)) & mask);
  }
  void write(uint64_t offset, unsigned size, uint32_t value) override {
    uint64_t mask = ((uint64_t{1} << (8 * size)) - 1) << (8 * offset);
    value_ = static_cast<uint32_t>((value_ & ~mask) | ((uint64_t{value} << (8 * offset)) & mask));
  }

private:
  uint32_t value_ = 0;
};

class TestFlushPage final : public Device {
public:
  static constexpr uint16_t kPort = 0xE4;
  static constexpr uint64_t kPorts = 4;
  std::string_view name() const override { return "pc-testdev-flush-page"; }
  uint32_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t, unsigned, uint32_t) override { ++flushes_; }
  uint64_t flushes() const { return flushes_; }

private:
  uint64_t flushes_ = 0;
};

class BochsShutdownPort final : public Device {
public:
  static constexpr uint16_t kPort = 0x8900;
  explicit BochsShutdownPort(std::function<void()> power_off) : power_off_(std::move(power_off)) {}
  std::string_view name() const override { return "bochs-shutdown"; }
  uint32_t read(uint64_t, unsigned) override { return 0xFF; }
  void write(uint64_t, unsigned, uint32_t value) override;

private:
  std::function<void()> power_off_;
  size_t matched_ = 0;  // characters of "Shutdown" written so far, in order
};

}  // namespace bt86
