#include "bt86/devices/ata_disk.h"

#include <algorithm>

namespace bt86 {

using namespace ata;

AtaDisk::AtaDisk(BlockBackend& media, std::string model)
    : IdeDrive(media), sectors_(media.size() / kSector), model_(std::move(model)) {
  // The usual translation for disks up to 8 GB: 16 heads, 63 sectors per
  // track, at most 16383 cylinders (ATA's limit for the CHS words).
  geometry_ = {static_cast<unsigned>(std::clamp<uint64_t>(sectors_ / (16 * 63), 1, 16383)), 16, 63};
  current_heads_ = geometry_.heads;
  current_sectors_ = geometry_.sectors;
}

void AtaDisk::reset() {
  cancel_transfers();
  left_ = 0;
  regs().set_signature(0x00, 0x00);
  regs().status = kDrdy | kDsc;
}

void AtaDisk::execute(uint8_t command) {
  cancel_transfers();
  left_ = 0;
  switch (command) {
    case kReadSectors: case kReadSectorsNoRetry: return start(Transfer::kPioIn, false, 1);
    case kReadSectorsExt: return start(Transfer::kPioIn, true, 1);
    case kWriteSectors: case kWriteSectorsNoRetry: return start(Transfer::kPioOut, false, 1);
    case kWriteSectorsExt: return start(Transfer::kPioOut, true, 1);
    case kReadMultiple: case kReadMultipleExt:
      if (!multiple_) return complete(kAbrt);
      return start(Transfer::kPioIn, command == kReadMultipleExt, multiple_);
    case kWriteMultiple: case kWriteMultipleExt:
      if (!multiple_) return complete(kAbrt);
      return start(Transfer::kPioOut, command == kWriteMultipleExt, multiple_);
    case kReadDma: case kReadDmaNoRetry: return start(Transfer::kDmaIn, false, 1);
    case kReadDmaExt: return start(Transfer::kDmaIn, true, 1);
    case kWriteDma: case kWriteDmaNoRetry: return start(Transfer::kDmaOut, false, 1);
    case kWriteDmaExt: return start(Transfer::kDmaOut, true, 1);
    case kReadVerify: case kReadVerifyNoRetry: case kReadVerifyExt: {
      const bool ext = command == kReadVerifyExt;
      uint64_t lba = 0;
      const uint32_t n = ext ? regs().count48() : (regs().count() ? regs().count() : 256);
      if (!address(ext, lba) || lba + n > sectors_) return complete(kIdnf);
      report_address(lba + n - 1);
      return complete();
    }
    case kFlushCache: case kFlushCacheExt: return complete(media().flush() ? 0 : kAbrt);
    case kIdentify: {
      const auto page = identify_page();
      buffer_.resize(kSector);
      for (unsigned i = 0; i < 256; ++i) {
        buffer_[2 * i] = static_cast<uint8_t>(page[i]);
        buffer_[2 * i + 1] = static_cast<uint8_t>(page[i] >> 8);
      }
      writing_ = false;
      left_ = 0;  // pio_block_done: nothing follows
      return pio_in(kSector);
    }
    case kSetFeatures: return set_features();
    case kSetMultiple: {
      const unsigned n = regs().count();
      if (n > kMaxMultiple || (n & (n - 1))) return complete(kAbrt);  // a power of two, or 0: off
      multiple_ = n;
      return complete();
    }
    case kInitializeParameters: return initialize_parameters();
    case kReadNativeMax: case kReadNativeMaxExt: return read_native_max(command == kReadNativeMaxExt);
    case kCheckPowerMode: case kCheckPowerModeOld:
      regs().reg[TaskFile::kCount] = 0xFF;  // active or idle
      return complete();
    case kIdle: case kIdleOld: case kIdleImmediate: case kIdleImmediateOld: case kStandby: case kStandbyOld:
    case kStandbyImmediate: case kStandbyImmediateOld: case kSleep: case kSleepOld:
      return complete();  // a disk image does not spin down
    default:
      if ((command & 0xF0) == kRecalibrate || (command & 0xF0) == kSeek) return complete();
      return complete(kAbrt);  // NOP, PACKET, DEVICE RESET and everything unknown
  }
}

bool AtaDisk::address(bool ext, uint64_t& lba) const {
  const TaskFile& r = const_cast<AtaDisk*>(this)->regs();
  if (ext) {
    lba = r.lba48();
    return true;
  }
  if (r.device() & kLba) {
    lba = uint64_t{r.device() & 0x0Fu} << 24 | uint64_t{r.reg[TaskFile::kLbaHigh]} << 16 |
          uint64_t{r.reg[TaskFile::kLbaMid]} << 8 | r.reg[TaskFile::kLbaLow];
    return true;
  }
  const unsigned cylinder = r.reg[TaskFile::kLbaHigh] << 8 | r.reg[TaskFile::kLbaMid];
  const unsigned head = r.device() & 0x0F, sector = r.reg[TaskFile::kLbaLow];
  if (sector == 0 || sector > current_sectors_ || head >= current_heads_) return false;
  lba = (uint64_t{cylinder} * current_heads_ + head) * current_sectors_ + sector - 1;
  return true;
}

// After a command the Command Block holds the address of the last sector it
// reached (ATA/ATAPI-6 "normal outputs"), in the addressing it used.
void AtaDisk::report_address(uint64_t lba) {
  TaskFile& r = regs();
  if (ext_) return r.set_lba48(lba);
  if (!chs_) {
    r.reg[TaskFile::kLbaLow] = static_cast<uint8_t>(lba);
    r.reg[TaskFile::kLbaMid] = static_cast<uint8_t>(lba >> 8);
    r.reg[TaskFile::kLbaHigh] = static_cast<uint8_t>(lba >> 16);
    r.reg[TaskFile::kDevice] = static_cast<uint8_t>((r.device() & 0xF0) | (lba >> 24 & 0x0F));
    return;
  }
  const uint64_t per_cylinder = uint64_t{current_heads_} * current_sectors_;
  const uint64_t cylinder = lba / per_cylinder;
  r.reg[TaskFile::kLbaLow] = static_cast<uint8_t>(lba % current_sectors_ + 1);
  r.reg[TaskFile::kLbaMid] = static_cast<uint8_t>(cylinder);
  r.reg[TaskFile::kLbaHigh] = static_cast<uint8_t>(cylinder >> 8);
  r.reg[TaskFile::kDevice] = static_cast<uint8_t>((r.device() & 0xF0) | (lba % per_cylinder / current_sectors_));
}

void AtaDisk::start(Transfer how, bool ext, unsigned block) {
  ext_ = ext;
  chs_ = !ext && !(regs().device() & kLba);
  writing_ = how == Transfer::kPioOut || how == Transfer::kDmaOut;
  const uint32_t n = ext ? regs().count48() : (regs().count() ? regs().count() : 256);
  uint64_t lba = 0;
  if (!address(ext, lba) || lba + n > sectors_) return complete(kIdnf);
  if (writing_ && media().read_only()) return complete(kAbrt);
  lba_ = lba, left_ = n, block_ = block;
  switch (how) {
    case Transfer::kPioIn: return next_block();
    case Transfer::kPioOut: return pio_out(std::min(block_, left_) * kSector, /*raise_interrupt=*/false);
    case Transfer::kDmaIn:
    case Transfer::kDmaOut: return dma_request(!writing_, uint64_t{n} * kSector, lba * kSector, false);
  }
}

// Fills the next DRQ block of a PIO read from the media.
void AtaDisk::next_block() {
  in_block_ = std::min(block_, left_);
  buffer_.resize(std::max<size_t>(buffer_.size(), in_block_ * kSector));
  if (!media().read(lba_ * kSector, std::span(buffer_.data(), in_block_ * kSector))) {
    report_address(lba_);
    return complete(kUnc);
  }
  pio_in(in_block_ * kSector);
}

void AtaDisk::pio_block_done(bool out) {
  if (!left_) return complete(0, false);
  const unsigned n = out ? std::min(block_, left_) : in_block_;
  if (out && !media().write(lba_ * kSector, std::span<const uint8_t>(buffer_.data(), n * kSector))) {
    report_address(lba_);
    return complete(kAbrt);
  }
  lba_ += n, left_ -= n;
  report_address(lba_ - 1);
  if (out) {
    if (left_) return pio_out(std::min(block_, left_) * kSector, true);
    return complete();  // the last block written: an interrupt
  }
  if (left_) return next_block();
  complete(0, false);  // a read's last interrupt came with its last block
}

void AtaDisk::dma_done(DmaEnd end) {
  const uint64_t moved = uint64_t{left_} * kSector - dma_left();
  if (end != DmaEnd::kDone) {
    report_address(lba_ + moved / kSector);
    return complete(end == DmaEnd::kHostError && !writing_ ? kUnc : kAbrt);
  }
  report_address(lba_ + left_ - 1);
  left_ = 0;
  complete();
}

void AtaDisk::set_features() {
  switch (regs().reg[TaskFile::kFeature]) {
    case 0x02: write_cache_ = true; return complete();
    case 0x82: write_cache_ = false; return complete();
    case 0x03: {  // set the transfer mode
      const uint8_t mode = regs().count();
      const bool ok = mode <= 0x01 || (mode >= 0x08 && mode <= 0x0C) || (mode >= 0x20 && mode <= 0x22) ||
                      (mode >= 0x40 && mode <= 0x45);
      if (!ok) return complete(kAbrt);
      if (mode >= 0x20) dma_mode_ = mode;
      return complete();
    }
    case 0x55: case 0xAA:  // read look-ahead off/on
    case 0x66: case 0xCC:  // keep/revert to power-on defaults
      return complete();
    default: return complete(kAbrt);
  }
}

void AtaDisk::initialize_parameters() {
  const unsigned sectors = regs().count(), heads = (regs().device() & 0x0F) + 1u;
  if (sectors == 0) return complete(kAbrt);
  current_sectors_ = sectors, current_heads_ = heads;
  complete();
}

void AtaDisk::read_native_max(bool ext) {
  const uint64_t max = sectors_ - 1;
  ext_ = ext, chs_ = false;
  report_address(ext ? max : std::min<uint64_t>(max, 0x0FFFFFFF));
  complete();
}

}  // namespace bt86
