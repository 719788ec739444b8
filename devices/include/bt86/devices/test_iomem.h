// QEMU's pc-testdev memory window ("pc-testdev-iomem"): 64 KiB of MMIO at
// physical 0xFF000000 that reads back what was last written, byte for
// byte, little endian. Test kernels (kvm-unit-tests' emulator tests, ours
// in guests/) use it as a device every instruction form can be aimed at:
// unlike RAM, each access reaches a device model, so an emulator must carry
// it out exactly once and with the right bytes.
#pragma once
#include <array>
#include <cstring>

#include "bt86/devices/device.h"

namespace bt86 {

class TestIomem final : public Device {
public:
  static constexpr uint64_t kBase = 0xFF000000;
  static constexpr uint64_t kSize = 0x10000;
  std::string_view name() const override { return "pc-testdev-iomem"; }
  // The bus hands us only accesses inside [0, kSize).
  uint32_t read(uint64_t offset, unsigned size) override {
    uint32_t v = 0;
    std::memcpy(&v, bytes_.data() + offset, size);
    return v;
  }
  void write(uint64_t offset, unsigned size, uint32_t value) override {
    std::memcpy(bytes_.data() + offset, &value, size);
  }

private:
  std::array<uint8_t, kSize> bytes_{};
};

}  // namespace bt86
