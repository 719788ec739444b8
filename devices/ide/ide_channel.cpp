#include "bt86/devices/ide_channel.h"

#include <algorithm>
#include <cstring>

namespace bt86 {

using namespace ata;

namespace {
uint32_t le(const uint8_t* p, unsigned n) {
  uint32_t v = 0;
  for (unsigned i = n; i-- > 0;) v = v << 8 | p[i];
  return v;
}

// What an absent device 1 shows after a reset: a signature that is neither
// ATA's nor ATAPI's.
void absent_signature(TaskFile& r) {
  r.set_signature(0xFF, 0xFF);
  r.error = 0;
}
}  // namespace

IdeChannel::IdeChannel(IrqLine irq, DmaMemory& memory) : irq_(irq), memory_(memory) {
  absent_signature(regs_[0]);
  absent_signature(regs_[1]);
}

void IdeChannel::attach(unsigned unit, IdeDrive& drive) {
  drive_[unit] = &drive;
  drive.connect(regs_[unit], [this, unit] { interrupt(unit); });
  drive.reset();
  for (unsigned u = 0; u < 2; ++u)
    if (drive_[u]) drive_[u]->place(u, drive_[1 - u] != nullptr);
}

void IdeChannel::set_bus_master_enabled(bool on) {
  bus_master_enabled_ = on;
  run_dma();
}

// Status: the selected device's; reading the Status register (not the
// Alternate Status) acknowledges its interrupt.
uint8_t IdeChannel::status(bool acknowledge) {
  if (empty()) return 0xFF;
  const unsigned unit = selected();
  if (!drive_[unit]) return 0;
  if (acknowledge) {
    pending_[unit] = false;
    update_irq();
  }
  return regs_[unit].status;
}

uint8_t IdeChannel::read_register(unsigned r) {
  if (r == TaskFile::kCommand) return status(true);
  if (empty()) return 0xFF;
  const unsigned unit = selected();
  const TaskFile& t = regs_[unit];
  if (r == TaskFile::kFeature) return drive_[unit] ? t.error : 0;
  const bool hob = device_control_ & kHob && r != TaskFile::kDevice;
  return hob ? t.previous[r] : t.reg[r];
}

void IdeChannel::write_register(unsigned r, uint8_t v) {
  if (r == TaskFile::kCommand) return execute(v);
  for (TaskFile& t : regs_) t.write(r, v);
  device_control_ &= static_cast<uint8_t>(~kHob);  // a Command Block write clears HOB
  if (r == TaskFile::kDevice) update_irq();        // the other device's INTRQ may now drive the line
}

uint32_t IdeChannel::CommandBlock::read(uint64_t offset, unsigned size) {
  if (offset == TaskFile::kData) {
    IdeDrive* d = c.drive_[c.selected()];
    return d ? d->read_data(size) : 0xFFFFFFFFu >> (32 - 8 * size);
  }
  uint32_t v = 0;  // wider accesses to the 8-bit registers: a byte each
  for (unsigned i = 0; i < size; ++i) v |= uint32_t{c.read_register(static_cast<unsigned>(offset) + i)} << (8 * i);
  return v;
}

void IdeChannel::CommandBlock::write(uint64_t offset, unsigned size, uint32_t value) {
  if (offset == TaskFile::kData) {
    if (IdeDrive* d = c.drive_[c.selected()]) d->write_data(size, value);
    return;
  }
  for (unsigned i = 0; i < size; ++i) c.write_register(static_cast<unsigned>(offset) + i, static_cast<uint8_t>(value >> (8 * i)));
}

void IdeChannel::execute(uint8_t command) {
  const unsigned unit = selected();
  IdeDrive* d = drive_[unit];
  if (!d) return;  // to an absent device: nobody takes it
  pending_[unit] = false;
  update_irq();
  if (command == kExecuteDiagnostic) {  // both devices run it; device 0 reports
    for (IdeDrive* each : drive_)
      if (each) each->reset();
    if (!drive_[1]) absent_signature(regs_[1]);
    return interrupt(unit);
  }
  d->execute(command);
  run_dma();
}

// Device Control: SRST resets both devices (BSY while it is held), nIEN
// takes the channel's devices off the interrupt line.
void IdeChannel::write_control(uint8_t v) {
  const bool was_reset = device_control_ & kSrst, reset = v & kSrst;
  device_control_ = v;
  if (reset && !was_reset) {
    for (unsigned unit = 0; unit < 2; ++unit) {
      pending_[unit] = false;
      if (!drive_[unit]) {
        absent_signature(regs_[unit]);
        continue;
      }
      drive_[unit]->reset();
      regs_[unit].status |= kBsy;
    }
  } else if (!reset && was_reset) {
    for (unsigned unit = 0; unit < 2; ++unit)
      if (drive_[unit]) regs_[unit].status &= static_cast<uint8_t>(~kBsy);
  }
  update_irq();
}

void IdeChannel::interrupt(unsigned unit) {
  pending_[unit] = true;
  if (unit != selected() || device_control_ & kNien) return;
  irq_.pulse();  // a new edge, even if the last one was not acknowledged
  bm_status_ |= kBmInterrupt;
}

void IdeChannel::update_irq() {
  const unsigned unit = selected();
  const bool level = drive_[unit] && pending_[unit] && !(device_control_ & kNien);
  if (level && !irq_.level()) bm_status_ |= kBmInterrupt;
  irq_.set(level);
}

uint8_t IdeChannel::BusMaster::read8(uint64_t offset) {
  switch (offset) {
    case kBmCommand: return c.bm_command_;
    case kBmStatus: return c.bm_status_;
    case kBmPrd: case kBmPrd + 1: case kBmPrd + 2: case kBmPrd + 3:
      return static_cast<uint8_t>(c.prd_ >> (8 * (offset - kBmPrd)));
    default: return 0;
  }
}

void IdeChannel::BusMaster::write8(uint64_t offset, uint8_t v) {
  switch (offset) {
    case kBmCommand: {
      const bool was = c.bm_command_ & kBmStart;
      c.bm_command_ = v & (kBmStart | kBmToMemory);
      if (!(v & kBmStart)) c.bm_status_ &= static_cast<uint8_t>(~kBmActive);  // stopped: the transfer is abandoned
      else if (!was) {
        c.bm_status_ |= kBmActive;
        c.run_dma();
      }
      return;
    }
    case kBmStatus:
      c.bm_status_ = static_cast<uint8_t>((c.bm_status_ & ~(kBmCapable | (v & (kBmError | kBmInterrupt)))) |
                                          (v & kBmCapable));
      return;
    case kBmPrd: case kBmPrd + 1: case kBmPrd + 2: case kBmPrd + 3: {
      const unsigned shift = 8 * static_cast<unsigned>(offset - kBmPrd);
      c.prd_ = ((c.prd_ & ~(0xFFu << shift)) | uint32_t{v} << shift) & ~3u;  // dword aligned
      return;
    }
    default: return;
  }
}

// Moves a waiting DMA command's data through the PRD table (SFF-8038i):
// each entry a physical address and a byte count (0: 64 KiB; bit 0 is
// ignored), bit 31 of its second dword marking the last. A table longer
// than the transfer leaves Active set; a shorter one clears it with the
// device still waiting for the rest; an entry (or the table) outside RAM
// is a bus error: Error set, and the command fails.
void IdeChannel::run_dma() {
  IdeDrive* d = drive_[selected()];
  if (!d || !d->dma_requested() || !(bm_command_ & kBmStart) || !(bm_status_ & kBmActive) || !bus_master_enabled_)
    return;
  uint32_t entry = prd_;
  for (unsigned i = 0; i < kMaxPrdEntries; ++i, entry += 8) {
    const uint8_t* prd = memory_.reach(entry, 8);
    if (!prd) break;
    const uint32_t base = le(prd, 4) & ~1u;
    const uint32_t count = (le(prd + 4, 2) & 0xFFFE) ? (le(prd + 4, 2) & 0xFFFE) : 0x10000;
    const bool last = prd[7] & 0x80;
    const uint64_t n = std::min<uint64_t>(count, d->dma_left());
    uint8_t* data = memory_.reach(base, n);
    if (!data) break;
    const bool to_memory = d->dma_to_memory();
    const bool ok = d->dma_transfer({data, static_cast<size_t>(n)});
    if (to_memory) memory_.written(base, n);
    if (!ok) {
      bm_status_ &= static_cast<uint8_t>(~kBmActive);
      return;
    }
    if (!d->dma_requested()) {  // the command is done
      if (last && n == count) bm_status_ &= static_cast<uint8_t>(~kBmActive);
      return;
    }
    if (last) {
      bm_status_ &= static_cast<uint8_t>(~kBmActive);
      return;
    }
  }
  bm_status_ = static_cast<uint8_t>((bm_status_ & ~kBmActive) | kBmError);
  d->dma_bus_error();
}

}  // namespace bt86
