// The PIIX3's IDE function at 00:01.1 (Intel 82371SB, 8086:7010): a PCI IDE
// controller in compatibility mode only (programming interface 80h: the
// legacy ports and IRQs 14/15, bus mastering) with its two channels and
// the bus-master IDE registers behind BAR4 (16 bytes of I/O, 8 per
// channel). The function decodes the legacy ports of a channel while the
// command register enables I/O space and that channel's IDETIM register
// (0x40, 0x42) has its decode-enable bit; BAR4 while I/O space is on and
// the BAR is not 0; its DMA runs only with bus mastering enabled.
#pragma once
#include <cstdint>

#include "bt86/devices/bus.h"
#include "bt86/devices/ide_channel.h"
#include "bt86/devices/pci_function.h"

namespace bt86 {

class PiixIde final : public PciFunction {
public:
  static constexpr uint16_t kVendorId = 0x8086, kDeviceId = 0x7010;
  static constexpr uint32_t kClass = 0x010180;  // mass storage, IDE, bus master, compatibility mode
  static constexpr unsigned kDevice = 1, kFunction = 1;
  static constexpr uint8_t kBar4 = 0x20;
  static constexpr uint8_t kIdeTim = 0x40;  // two 16-bit registers, primary then secondary
  static constexpr uint16_t kIdeDecodeEnable = 0x8000;
  static constexpr uint16_t kCommandIo = 0x0001, kCommandBusMaster = 0x0004;
  static constexpr uint64_t kBusMasterPorts = 16;

  PiixIde(Bus& io, InterruptSink& isa, DmaMemory& memory);
  ~PiixIde() override;

  IdeChannel& channel(unsigned i) { return i ? secondary_ : primary_; }

  std::string_view name() const override { return "piix3-ide"; }
  uint32_t config_read(uint8_t offset, unsigned size) override { return space_.read(offset, size); }
  void config_write(uint8_t offset, unsigned size, uint32_t value) override;

  // What a PC BIOS leaves before it boots a system (for kernels booted
  // without one): both channels decoded, bus-master registers at `base`.
  void configure_as_firmware_would(uint16_t base = 0xC000);
  // The bus-master registers' base while they are decoded, else 0.
  uint16_t bus_master_base() const { return bm_at_; }

private:
  // The 16 bytes behind BAR4: channel 0's registers, then channel 1's.
  struct BusMasterPorts final : Device {
    PiixIde& f;
    explicit BusMasterPorts(PiixIde& function) : f(function) {}
    std::string_view name() const override { return "piix3-ide-bm"; }
    uint32_t read(uint64_t offset, unsigned size) override {
      return f.channel(offset >= 8 ? 1 : 0).bus_master().read(offset % 8, size);
    }
    void write(uint64_t offset, unsigned size, uint32_t value) override {
      f.channel(offset >= 8 ? 1 : 0).bus_master().write(offset % 8, size, value);
    }
  };
  void remap();
  void decode_channel(unsigned i, bool on);

  Bus& io_;
  PciConfigSpace space_;
  IdeChannel primary_, secondary_;
  BusMasterPorts bus_master_{*this};
  bool decoded_[2] = {};
  uint16_t bm_at_ = 0;
};

}  // namespace bt86
