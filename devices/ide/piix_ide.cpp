#include "bt86/devices/piix_ide.h"

namespace bt86 {

PiixIde::PiixIde(Bus& io, InterruptSink& isa, DmaMemory& memory)
    : io_(io),
      primary_(IrqLine(isa, IdeChannel::kPrimaryIrq), memory),
      secondary_(IrqLine(isa, IdeChannel::kSecondaryIrq), memory) {
  space_.define(pci::kVendorId, 2, kVendorId);
  space_.define(pci::kDeviceId, 2, kDeviceId);
  space_.define(pci::kCommand, 2, 0x0000, kCommandIo | kCommandBusMaster);
  // Medium DEVSEL, fast back-to-back; master and target aborts write-one-to-clear.
  space_.define(pci::kStatus, 2, 0x0280, 0, 0x3800);
  space_.define(pci::kClassCode, 3, kClass);
  space_.define(pci::kLatencyTimer, 1, 0x00, 0xF0);
  space_.define(pci::kHeaderType, 1, 0x00);  // function 0 says the device has several
  // I/O, 16 bytes. The PIIX3 hardwires bits 31:16 to 0, but BIOSes size
  // an I/O BAR as if all 32 bits were there (SeaBIOS reads a 4 GiB-sized
  // BAR otherwise and gives up), so they are writable, as on QEMU's PIIX;
  // an address above 0xFFFF is not decoded.
  space_.define(kBar4, 4, 0x00000001, 0xFFFFFFF0);
  space_.define(kIdeTim, 2, 0x0000, 0xF3FF);
  space_.define(kIdeTim + 2, 2, 0x0000, 0xF3FF);
  space_.define(0x44, 1, 0x00, 0xFF);  // SIDETIM: slave timings
}

PiixIde::~PiixIde() {
  decode_channel(0, false);
  decode_channel(1, false);
  if (bm_at_) io_.unmap(bm_at_, bus_master_);
}

void PiixIde::config_write(uint8_t offset, unsigned size, uint32_t value) {
  space_.write(offset, size, value);
  remap();
}

void PiixIde::configure_as_firmware_would(uint16_t base) {
  space_.write(kBar4, 4, base);
  space_.write(kIdeTim, 2, kIdeDecodeEnable);
  space_.write(kIdeTim + 2, 2, kIdeDecodeEnable);
  space_.write(pci::kCommand, 2, kCommandIo | kCommandBusMaster);
  remap();
}

// Follows the command register, BAR4 and IDETIM: which ports the function
// claims on the I/O bus. A range that collides with another device's is
// left unclaimed (the guest's doing, as with a BAR placed over RAM).
void PiixIde::remap() {
  const uint32_t command = space_.read(pci::kCommand, 2);
  const bool io_on = command & kCommandIo;
  for (unsigned i = 0; i < 2; ++i)
    decode_channel(i, io_on && (space_.read(kIdeTim + 2 * i, 2) & kIdeDecodeEnable));
  const uint32_t base = space_.read(kBar4, 4) & ~0xFu;
  const uint16_t want = io_on && base && base < 0x10000 ? static_cast<uint16_t>(base) : 0;
  if (want != bm_at_) {
    if (bm_at_) io_.unmap(bm_at_, bus_master_);
    bm_at_ = 0;
    try {
      if (want) {
        io_.map(want, kBusMasterPorts, bus_master_);
        bm_at_ = want;
      }
    } catch (const BusError&) {
    }
  }
  primary_.set_bus_master_enabled(command & kCommandBusMaster);
  secondary_.set_bus_master_enabled(command & kCommandBusMaster);
}

void PiixIde::decode_channel(unsigned i, bool on) {
  if (on == decoded_[i]) return;
  IdeChannel& c = channel(i);
  const uint16_t command = i ? IdeChannel::kSecondaryCommand : IdeChannel::kPrimaryCommand;
  const uint16_t control = i ? IdeChannel::kSecondaryControl : IdeChannel::kPrimaryControl;
  if (!on) {
    io_.unmap(command, c.command_block());
    io_.unmap(control, c.control_block());
    decoded_[i] = false;
    return;
  }
  try {
    io_.map(command, IdeChannel::kCommandPorts, c.command_block());
  } catch (const BusError&) {
    return;
  }
  try {
    io_.map(control, 1, c.control_block());
  } catch (const BusError&) {
    io_.unmap(command, c.command_block());
    return;
  }
  decoded_[i] = true;
}

}  // namespace bt86
