#include "bt86/devices/ide_drive.h"

#include <algorithm>
#include <cstring>

namespace bt86 {

uint64_t TaskFile::lba48() const {
  uint64_t lba = 0;
  for (unsigned r : {kLbaHigh, kLbaMid, kLbaLow}) lba = lba << 8 | previous[r];
  for (unsigned r : {kLbaHigh, kLbaMid, kLbaLow}) lba = lba << 8 | reg[r];
  return lba;
}

uint32_t TaskFile::count48() const {
  uint32_t n = uint32_t{previous[kCount]} << 8 | reg[kCount];
  return n ? n : 65536;
}

void TaskFile::set_lba48(uint64_t lba) {
  const unsigned regs[] = {kLbaLow, kLbaMid, kLbaHigh};
  for (unsigned i = 0; i < 3; ++i) {
    reg[regs[i]] = static_cast<uint8_t>(lba >> (8 * i));
    previous[regs[i]] = static_cast<uint8_t>(lba >> (8 * (i + 3)));
  }
}

void TaskFile::set_signature(uint8_t mid, uint8_t high) {
  reg[kCount] = reg[kLbaLow] = 1;
  reg[kLbaMid] = mid;
  reg[kLbaHigh] = high;
  reg[kDevice] = 0;
  error = 0x01;  // diagnostics passed
}

// Bits 15:14 01b (valid), 13: an 80-conductor cable; device 0 in bits 7:0
// (01b: number set by jumper, bit 3: diagnostics passed, bit 6: it answers
// for an absent device 1), device 1 in bits 12:8 (jumper).
uint16_t IdeDrive::reset_result() const {
  if (unit_) return 0x4000 | 0x2000 | 0x0300;
  return static_cast<uint16_t>(0x4000 | 0x2000 | 0x000B | (partner_ ? 0 : 0x0040));
}

void IdeDrive::complete(uint8_t error, bool raise_interrupt) {
  cancel_transfers();
  regs().error = error;
  regs().status = static_cast<uint8_t>(ata::kDrdy | ata::kDsc | (error ? ata::kErr : 0));
  if (raise_interrupt) interrupt();
}

void IdeDrive::cancel_transfers() {
  pos_ = end_ = 0;
  dma_ = {};
}

void IdeDrive::pio_in(size_t n, bool raise_interrupt) {
  pos_ = 0, end_ = n, out_ = false;
  regs().status = ata::kDrdy | ata::kDsc | ata::kDrq;
  if (raise_interrupt) interrupt();
}

void IdeDrive::pio_out(size_t n, bool raise_interrupt) {
  buffer_.resize(std::max(buffer_.size(), n));
  pos_ = 0, end_ = n, out_ = true;
  regs().status = ata::kDrdy | ata::kDsc | ata::kDrq;
  if (raise_interrupt) interrupt();
}

uint32_t IdeDrive::read_data(unsigned size) {
  if (out_ || pos_ >= end_) return 0xFFFFFFFFu >> (32 - 8 * size);
  uint32_t v = 0;
  const size_t n = std::min<size_t>(size, end_ - pos_);
  std::memcpy(&v, buffer_.data() + pos_, n);
  pos_ += n;
  if (pos_ == end_) {
    regs().status &= static_cast<uint8_t>(~ata::kDrq);
    pio_block_done(false);
  }
  return v;
}

void IdeDrive::write_data(unsigned size, uint32_t value) {
  if (!out_ || pos_ >= end_) return;
  const size_t n = std::min<size_t>(size, end_ - pos_);
  std::memcpy(buffer_.data() + pos_, &value, n);
  pos_ += n;
  if (pos_ == end_) {
    regs().status &= static_cast<uint8_t>(~ata::kDrq);
    pio_block_done(true);
  }
}

void IdeDrive::dma_request(bool to_memory, uint64_t bytes, uint64_t media_offset, bool from_buffer) {
  pos_ = end_ = 0;
  dma_ = {true, to_memory, from_buffer, media_offset, bytes};
  regs().status = ata::kDrdy | ata::kDsc | ata::kDrq;
}

bool IdeDrive::dma_transfer(std::span<uint8_t> memory) {
  bool ok = true;
  if (dma_.from_buffer) std::memcpy(memory.data(), buffer_.data() + dma_.offset, memory.size());
  else if (dma_.to_memory) ok = media_.read(dma_.offset, memory);
  else ok = media_.write(dma_.offset, memory);
  dma_.offset += memory.size();
  dma_.left -= memory.size();
  if (!ok) dma_done(DmaEnd::kHostError);
  else if (dma_.left == 0) dma_done(DmaEnd::kDone);
  return ok;
}

void IdeDrive::dma_bus_error() { dma_done(DmaEnd::kBusError); }

}  // namespace bt86
