// QEMU's isa-debug-exit convention: a write of v ends the run with exit
// status (v << 1) | 1, so a test kernel can report pass/fail to the host.
#pragma once
#include "bt86/devices/device.h"
#include "bt86/devices/run_control.h"

namespace bt86 {

class DebugExit final : public Device {
public:
  static constexpr uint16_t kPort = 0xF4;
  explicit DebugExit(RunControl& control) : control_(control) {}
  std::string_view name() const override { return "isa-debug-exit"; }
  uint32_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t, unsigned, uint32_t value) override;

private:
  RunControl& control_;
};

}  // namespace bt86
