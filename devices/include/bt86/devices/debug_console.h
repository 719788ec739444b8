// Port 0xE9, the debug console of Bochs and QEMU (-debugcon): each byte
// written there goes out (stderr, or a file), a read returns 0xE9, which is
// how firmware (SeaBIOS) finds out the port is there.
#pragma once
#include <cstdint>
#include <functional>

#include "bt86/devices/device.h"

namespace bt86 {

class DebugConsole final : public Device {
public:
  static constexpr uint16_t kPort = 0xE9;
  explicit DebugConsole(std::function<void(uint8_t)> out) : out_(std::move(out)) {}
  std::string_view name() const override { return "debugcon"; }
  uint32_t read(uint64_t, unsigned) override { return kPort; }
  void write(uint64_t, unsigned, uint32_t value) override {
    if (out_) out_(static_cast<uint8_t>(value));
  }
  void set_output(std::function<void(uint8_t)> out) { out_ = std::move(out); }

private:
  std::function<void(uint8_t)> out_;
};

}  // namespace bt86
