// POST diagnostic port 0x80: BIOSes and kernels write progress codes (and
// Linux uses it as an I/O delay). We keep the last code for state dumps.
#pragma once
#include "bt86/devices/device.h"

namespace bt86 {

class PostPort final : public Device {
public:
  static constexpr uint16_t kPort = 0x80;
  std::string_view name() const override { return "post-port"; }
  uint32_t read(uint64_t, unsigned) override { return last_; }
  void write(uint64_t, unsigned, uint32_t value) override { last_ = value & 0xFF; ++writes_; }
  uint8_t last_code() const { return static_cast<uint8_t>(last_); }
  uint64_t writes() const { return writes_; }

private:
  uint32_t last_ = 0;
  uint64_t writes_ = 0;
};

}  // namespace bt86
