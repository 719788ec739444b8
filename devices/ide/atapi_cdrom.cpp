// AtapiCdrom's ATA side: the commands of the PACKET feature set and the
// phases of a packet command (ATA/ATAPI-6, 9.10: the packet, DRQ data
// blocks no larger than the host's byte count limit, the status).
#include "bt86/devices/atapi_cdrom.h"

#include <algorithm>
#include <cstring>

#include "ide_identify.h"

namespace bt86 {

using namespace ata;

AtapiCdrom::AtapiCdrom(BlockBackend& media, std::string model)
    : IdeDrive(media), blocks_(media.size() / kSector), model_(std::move(model)) {}

void AtapiCdrom::reset() {
  cancel_transfers();
  phase_ = Phase::kIdle;
  regs().set_signature(kAtapiSignatureMid, kAtapiSignatureHigh);
  regs().status = 0;  // an ATAPI device leaves DRDY clear after a reset
}

void AtapiCdrom::execute(uint8_t command) {
  cancel_transfers();
  phase_ = Phase::kIdle;
  switch (command) {
    case kPacket: {
      TaskFile& r = regs();
      dma_ = r.reg[TaskFile::kFeature] & 1;
      // The largest DRQ block the host takes; an odd limit means one less, 0 the largest.
      limit_ = (r.reg[TaskFile::kLbaHigh] << 8 | r.reg[TaskFile::kLbaMid]) & ~1u;
      if (!limit_) limit_ = 0xFFFE;
      phase_ = Phase::kPacket;
      set_reason(false, true);
      // Word 0 says DRQ comes within 50 us, so no interrupt asks for the packet.
      return pio_out(kPacketSize, false);
    }
    case kIdentifyPacket: {
      const auto page = identify_page();
      buffer_.resize(512);
      for (unsigned i = 0; i < 256; ++i) {
        buffer_[2 * i] = static_cast<uint8_t>(page[i]);
        buffer_[2 * i + 1] = static_cast<uint8_t>(page[i] >> 8);
      }
      return pio_in(512);
    }
    case kDeviceReset: return reset();  // no interrupt follows a DEVICE RESET
    case kSetFeatures: {
      const uint8_t f = regs().reg[TaskFile::kFeature], mode = regs().count();
      const bool ok = f == 0x02 || f == 0x82 || f == 0x55 || f == 0xAA || f == 0x66 || f == 0xCC ||
                      (f == 0x03 && (mode <= 0x01 || (mode >= 0x08 && mode <= 0x0C) ||
                                     (mode >= 0x20 && mode <= 0x22) || (mode >= 0x40 && mode <= 0x45)));
      return complete(ok ? 0 : kAbrt);
    }
    case kCheckPowerMode:
      regs().reg[TaskFile::kCount] = 0xFF;
      return complete();
    case kIdle: case kIdleImmediate: case kStandby: case kStandbyImmediate: case kSleep:
      return complete();
    default: {
      // IDENTIFY DEVICE and every ATA command it does not take: abort, and
      // show the signature so that the host knows what answered.
      complete(kAbrt, false);
      TaskFile& r = regs();
      r.reg[TaskFile::kCount] = r.reg[TaskFile::kLbaLow] = 1;
      r.reg[TaskFile::kLbaMid] = kAtapiSignatureMid;
      r.reg[TaskFile::kLbaHigh] = kAtapiSignatureHigh;
      return interrupt();
    }
  }
}

void AtapiCdrom::set_reason(bool io, bool cod) {
  regs().reg[TaskFile::kCount] = static_cast<uint8_t>((io ? 2 : 0) | (cod ? 1 : 0));
}

void AtapiCdrom::pio_block_done(bool out) {
  if (phase_ == Phase::kPacket && out) return run_packet();
  if (phase_ == Phase::kData && !out) return left_ ? next_data_block() : good();
  complete(0, false);  // IDENTIFY PACKET DEVICE's page was read
}

void AtapiCdrom::reply(std::vector<uint8_t> data, uint32_t allocation_length) {
  if (data.size() > allocation_length) data.resize(allocation_length);
  if (data.empty()) return good();
  data_ = std::move(data);
  reading_ = false;
  offset_ = 0, left_ = data_.size();
  phase_ = Phase::kData;
  if (!dma_) return next_data_block();
  buffer_ = data_;
  dma_request(true, left_, 0, true);
}

void AtapiCdrom::read_blocks(uint64_t lba, uint64_t count) {
  if (lba > blocks_ || count > blocks_ - lba) return check_condition(kIllegalRequest, kLbaOutOfRange);
  if (!count) return good();
  reading_ = true;
  offset_ = lba * kSector, left_ = count * kSector;
  phase_ = Phase::kData;
  if (!dma_) return next_data_block();
  dma_request(true, left_, offset_, false);
}

void AtapiCdrom::next_data_block() {
  const auto n = static_cast<uint32_t>(std::min<uint64_t>(left_, limit_));
  buffer_.resize(std::max<size_t>(buffer_.size(), n));
  if (reading_) {
    if (!media().read(offset_, std::span(buffer_.data(), n))) return check_condition(kMediumError, kUnrecoveredReadError);
  } else {
    std::memcpy(buffer_.data(), data_.data() + offset_, n);
  }
  offset_ += n, left_ -= n;
  TaskFile& r = regs();
  r.reg[TaskFile::kLbaMid] = static_cast<uint8_t>(n);  // this block's byte count
  r.reg[TaskFile::kLbaHigh] = static_cast<uint8_t>(n >> 8);
  set_reason(true, false);
  pio_in(n);
}

void AtapiCdrom::dma_done(DmaEnd end) {
  if (end == DmaEnd::kDone) return good();
  if (end == DmaEnd::kHostError) return check_condition(kMediumError, kUnrecoveredReadError);
  phase_ = Phase::kIdle;
  set_reason(true, true);
  complete(kAbrt);
}

void AtapiCdrom::good() {
  sense_key_ = kNoSense, asc_ = ascq_ = 0;
  phase_ = Phase::kIdle;
  set_reason(true, true);
  complete();
}

void AtapiCdrom::check_condition(uint8_t key, uint8_t asc, uint8_t ascq) {
  sense_key_ = key, asc_ = asc, ascq_ = ascq;
  phase_ = Phase::kIdle;
  set_reason(true, true);
  complete(static_cast<uint8_t>(key << 4));  // the Error register carries the sense key
}

std::array<uint16_t, 256> AtapiCdrom::identify_page() const {
  ata::IdentifyPage id{};
  id[0] = 0x85C0;  // ATAPI, CD-ROM, removable, DRQ within 50 us, 12-byte packets
  ata::put_string(id, 10, 10, "BT86-0002");
  ata::put_string(id, 23, 4, "1.0");
  ata::put_string(id, 27, 20, model_);
  id[49] = 0x0B00;  // LBA, DMA, IORDY
  id[53] = 0x0006;  // words 64-70 and 88 are valid
  id[63] = 0x0007;  // multiword DMA 0-2
  id[64] = 0x0003;
  id[65] = id[66] = id[67] = id[68] = 120;
  id[80] = 0x007E;
  id[82] = 0x0010;  // the PACKET feature set
  id[83] = id[84] = id[87] = 0x4000;
  id[85] = 0x0010;
  id[88] = 0x003F;
  id[93] = reset_result();
  ata::seal(id);
  return id;
}

}  // namespace bt86
