// One IDE channel of a PCI IDE controller in compatibility mode: the
// Command Block registers (eight ports: 0x1F0 or 0x170), the Control Block
// register (Alternate Status / Device Control: 0x3F6 or 0x376), the ISA
// interrupt (14 or 15), up to two devices, and the channel's bus-master
// IDE registers (SFF-8038i: command, status, PRD table address).
//
// Both devices latch every Command Block write. With device 1 absent,
// device 0 answers for it as ATA says: Status and Error read 0 and
// commands go nowhere; a channel with no device reads all ones (a
// floating bus).
#pragma once
#include <cstdint>

#include "bt86/devices/byte_device.h"
#include "bt86/devices/device.h"
#include "bt86/devices/dma_memory.h"
#include "bt86/devices/ide_drive.h"
#include "bt86/devices/irq.h"

namespace bt86 {

class IdeChannel {
public:
  static constexpr uint16_t kPrimaryCommand = 0x1F0, kPrimaryControl = 0x3F6;
  static constexpr uint16_t kSecondaryCommand = 0x170, kSecondaryControl = 0x376;
  static constexpr unsigned kPrimaryIrq = 14, kSecondaryIrq = 15;
  static constexpr uint64_t kCommandPorts = 8, kBusMasterPorts = 8;
  // Bus-master registers: offsets and bits.
  static constexpr unsigned kBmCommand = 0, kBmStatus = 2, kBmPrd = 4;
  static constexpr uint8_t kBmStart = 0x01, kBmToMemory = 0x08;
  static constexpr uint8_t kBmActive = 0x01, kBmError = 0x02, kBmInterrupt = 0x04, kBmCapable = 0x60;
  // A PRD table lies within 64 KiB: at most this many entries.
  static constexpr unsigned kMaxPrdEntries = 65536 / 8;

  IdeChannel(IrqLine irq, DmaMemory& memory);

  // unit 0: master, 1: slave. The drive's reset() runs (power-on).
  void attach(unsigned unit, IdeDrive& drive);
  IdeDrive* drive(unsigned unit) const { return drive_[unit]; }

  Device& command_block() { return command_; }
  Device& control_block() { return control_; }
  Device& bus_master() { return bus_master_; }
  // The controller's PCI command register: may it master the bus?
  void set_bus_master_enabled(bool on);

  uint8_t bm_status() const { return bm_status_; }
  bool irq_level() const { return irq_.level(); }

private:
  struct CommandBlock final : Device {
    IdeChannel& c;
    explicit CommandBlock(IdeChannel& channel) : c(channel) {}
    std::string_view name() const override { return "ide"; }
    uint32_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, unsigned size, uint32_t value) override;
  };
  struct ControlBlock final : ByteDevice {
    IdeChannel& c;
    explicit ControlBlock(IdeChannel& channel) : ByteDevice(1), c(channel) {}
    std::string_view name() const override { return "ide-control"; }
    uint8_t read8(uint64_t) override { return c.status(false); }
    void write8(uint64_t, uint8_t v) override { c.write_control(v); }
  };
  struct BusMaster final : ByteDevice {
    IdeChannel& c;
    explicit BusMaster(IdeChannel& channel) : ByteDevice(kBusMasterPorts), c(channel) {}
    std::string_view name() const override { return "ide-bus-master"; }
    uint8_t read8(uint64_t offset) override;
    void write8(uint64_t offset, uint8_t v) override;
  };

  unsigned selected() const { return regs_[0].device() & ata::kDev ? 1 : 0; }
  bool empty() const { return !drive_[0] && !drive_[1]; }
  uint8_t read_register(unsigned r);
  void write_register(unsigned r, uint8_t v);
  uint8_t status(bool acknowledge);
  void write_control(uint8_t v);
  void execute(uint8_t command);
  void interrupt(unsigned unit);
  void update_irq();
  void run_dma();

  CommandBlock command_{*this};
  ControlBlock control_{*this};
  BusMaster bus_master_{*this};
  IrqLine irq_;
  DmaMemory& memory_;
  IdeDrive* drive_[2] = {};
  TaskFile regs_[2];
  bool pending_[2] = {};  // each device's INTRQ, before nIEN
  uint8_t device_control_ = 0;
  uint8_t bm_command_ = 0, bm_status_ = 0;
  uint32_t prd_ = 0;
  bool bus_master_enabled_ = false;
};

}  // namespace bt86
