// QEMU's firmware configuration interface (fw_cfg), the x86 port form: a
// 16-bit selector written to port 0x510 picks an item, and byte reads of
// port 0x511 return its contents from the start, 0 past its end. Items are
// numbered keys (the signature, the CPU count that kvm-unit-tests reads,
// the RAM size, ...) and named files listed in the file directory (key
// 0x19), such as "etc/e820", which a firmware like SeaBIOS reads. Only the
// traditional interface: no DMA (ID bit 1 clear), and writes are ignored,
// as in QEMU since 2.4.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bt86/devices/device.h"

namespace bt86 {

class FwCfg final : public Device {
public:
  static constexpr uint16_t kPort = 0x510;
  static constexpr uint64_t kPorts = 2;  // selector at +0, data at +1

  // The numbered items of QEMU's interface (docs/specs/fw_cfg.rst).
  enum Key : uint16_t {
    kSignature = 0x00,  // "QEMU"
    kId = 0x01,         // interface features: bit 0 traditional, bit 1 DMA
    kUuid = 0x02,
    kRamSize = 0x03,  // bytes, 64-bit little endian
    kNoGraphic = 0x04,
    kCpuCount = 0x05,  // 16-bit
    kMaxCpus = 0x0F,   // 16-bit
    kFileDir = 0x19,
    kFirstFile = 0x20,
  };

  FwCfg();

  std::string_view name() const override { return "fw_cfg"; }
  uint32_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint32_t value) override;

  void set(uint16_t key, std::vector<uint8_t> bytes);
  void set_u16(uint16_t key, uint16_t v);
  void set_u32(uint16_t key, uint32_t v);
  void set_u64(uint16_t key, uint64_t v);
  // A named file under the next free key; the directory lists it.
  void add_file(const std::string& name, std::vector<uint8_t> bytes);

private:
  void rebuild_directory();

  std::map<uint16_t, std::vector<uint8_t>> items_;
  std::vector<std::pair<std::string, uint16_t>> files_;
  uint16_t selected_ = kSignature;
  size_t offset_ = 0;
};

}  // namespace bt86
