// AtapiCdrom's SCSI side: the MMC commands of a one-track data disc (SPC-3,
// MMC-3). Multi-byte fields in CDBs and replies are big-endian.
#include <algorithm>
#include <cstring>

#include "bt86/devices/atapi_cdrom.h"

namespace bt86 {

namespace {
uint32_t be16(const uint8_t* p) { return uint32_t{p[0]} << 8 | p[1]; }
uint32_t be32(const uint8_t* p) { return be16(p) << 16 | be16(p + 2); }
void put16(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  v[at] = static_cast<uint8_t>(x >> 8);
  v[at + 1] = static_cast<uint8_t>(x);
}
void put32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  put16(v, at, x >> 16);
  put16(v, at + 2, x);
}
void put_text(std::vector<uint8_t>& v, size_t at, size_t len, std::string_view s) {
  for (size_t i = 0; i < len; ++i) v[at + i] = i < s.size() ? static_cast<uint8_t>(s[i]) : ' ';
}
// A TOC address: an LBA, or minutes/seconds/frames counted from 00:02:00.
void put_address(std::vector<uint8_t>& v, size_t at, uint64_t lba, bool msf) {
  if (!msf) return put32(v, at, static_cast<uint32_t>(lba));
  const uint64_t frames = lba + 150;
  v[at] = 0;
  v[at + 1] = static_cast<uint8_t>(std::min<uint64_t>(frames / (60 * 75), 0xFF));
  v[at + 2] = static_cast<uint8_t>(frames / 75 % 60);
  v[at + 3] = static_cast<uint8_t>(frames % 75);
}

enum Opcode : uint8_t {
  kTestUnitReady = 0x00,
  kRequestSense = 0x03,
  kInquiry = 0x12,
  kStartStopUnit = 0x1B,
  kPreventAllow = 0x1E,
  kReadCapacity = 0x25,
  kRead10 = 0x28,
  kSeek10 = 0x2B,
  kReadToc = 0x43,
  kGetConfiguration = 0x46,
  kGetEventStatus = 0x4A,
  kModeSense10 = 0x5A,
  kRead12 = 0xA8,
  kSetCdSpeed = 0xBB,
};
}  // namespace

void AtapiCdrom::run_packet() {
  uint8_t cdb[kPacketSize];
  std::memcpy(cdb, buffer_.data(), kPacketSize);
  phase_ = Phase::kIdle;
  switch (cdb[0]) {
    case kTestUnitReady: case kStartStopUnit: case kPreventAllow: case kSeek10: case kSetCdSpeed:
      return good();  // the disc is always there, spun up, and never ejected
    case kRequestSense: return scsi_request_sense(cdb);
    case kInquiry: return scsi_inquiry(cdb);
    case kReadCapacity: {
      std::vector<uint8_t> d(8);
      put32(d, 0, static_cast<uint32_t>(std::min<uint64_t>(blocks_ - 1, 0xFFFFFFFF)));
      put32(d, 4, kSector);
      return reply(std::move(d), 8);
    }
    case kRead10: return read_blocks(be32(cdb + 2), be16(cdb + 7));
    case kRead12: return read_blocks(be32(cdb + 2), be32(cdb + 6));
    case kReadToc: return scsi_read_toc(cdb);
    case kGetConfiguration: return scsi_get_configuration(cdb);
    case kGetEventStatus: return scsi_event_status(cdb);
    case kModeSense10: return scsi_mode_sense(cdb);
    default: return check_condition(kIllegalRequest, kInvalidOpcode);
  }
}

// Fixed-format sense data of the last command; reading it clears it.
void AtapiCdrom::scsi_request_sense(const uint8_t* cdb) {
  std::vector<uint8_t> d(18);
  d[0] = 0x70;  // current error, fixed format
  d[2] = sense_key_;
  d[7] = 10;  // additional length
  d[12] = asc_;
  d[13] = ascq_;
  reply(std::move(d), cdb[4]);
}

void AtapiCdrom::scsi_inquiry(const uint8_t* cdb) {
  if (cdb[1] & 1) return check_condition(kIllegalRequest, kInvalidFieldInCdb);  // no vital product data pages
  std::vector<uint8_t> d(36);
  d[0] = 0x05;  // CD/DVD device
  d[1] = 0x80;  // removable medium
  d[3] = 0x21;  // ATAPI version 2, response data format 1
  d[4] = 31;    // additional length
  put_text(d, 8, 8, "BT86");
  put_text(d, 16, 16, "CD-ROM");
  put_text(d, 32, 4, "1.0");
  reply(std::move(d), be16(cdb + 3));
}

void AtapiCdrom::scsi_mode_sense(const uint8_t* cdb) {
  const uint8_t page = cdb[2] & 0x3F;
  std::vector<uint8_t> d(8);  // the header, without block descriptors
  d[2] = 0x01;                // 120 mm CD-ROM, data only
  if (page == 0x01 || page == 0x3F) {  // read error recovery: defaults
    const uint8_t p[12] = {0x01, 0x0A};
    d.insert(d.end(), p, p + sizeof p);
  }
  if (page == 0x2A || page == 0x3F) {  // CD capabilities and mechanical status
    uint8_t p[22] = {0x2A, 0x14};
    p[6] = 0x29;                 // tray loader, eject and lock supported
    p[8] = 706 >> 8, p[9] = 706 & 0xFF;    // maximum read speed, kB/s (4x)
    p[14] = 706 >> 8, p[15] = 706 & 0xFF;  // current read speed
    d.insert(d.end(), p, p + sizeof p);
  }
  if (d.size() == 8) return check_condition(kIllegalRequest, kInvalidFieldInCdb);
  put16(d, 0, static_cast<uint32_t>(d.size() - 2));
  reply(std::move(d), be16(cdb + 7));
}

// The feature header with the current profile (CD-ROM) and, when asked
// for, the Profile List feature naming it.
void AtapiCdrom::scsi_get_configuration(const uint8_t* cdb) {
  constexpr uint32_t kCdRomProfile = 0x0008;
  std::vector<uint8_t> d(8);
  put16(d, 6, kCdRomProfile);
  const unsigned requested = cdb[1] & 3;
  if (be16(cdb + 2) == 0 || requested == 0) {
    const uint8_t f[8] = {0x00, 0x00, 0x03, 0x04, 0x00, 0x08, 0x01, 0x00};  // persistent, current; one profile
    d.insert(d.end(), f, f + sizeof f);
  }
  put32(d, 0, static_cast<uint32_t>(d.size() - 4));
  reply(std::move(d), be16(cdb + 7));
}

void AtapiCdrom::scsi_read_toc(const uint8_t* cdb) {
  const bool msf = cdb[1] & 2;
  unsigned format = cdb[2] & 0x0F;
  if (!format) format = cdb[9] >> 6;  // the older place of the format field
  const uint8_t track = cdb[6];
  std::vector<uint8_t> d(4);
  d[2] = d[3] = 1;  // first and last track (format 1: session)
  auto descriptor = [&](uint8_t number, uint64_t lba) {
    const size_t at = d.size();
    d.resize(at + 8);
    d[at + 1] = 0x14;  // Q sub-channel: position; a data track
    d[at + 2] = number;
    put_address(d, at + 4, lba, msf);
  };
  if (format == 0) {
    if (track > 1 && track != 0xAA) return check_condition(kIllegalRequest, kInvalidFieldInCdb);
    if (track <= 1) descriptor(1, 0);
    descriptor(0xAA, blocks_);  // the lead-out
  } else if (format == 1) {
    descriptor(1, 0);  // the first track of the last session
  } else {
    return check_condition(kIllegalRequest, kInvalidFieldInCdb);
  }
  put16(d, 0, static_cast<uint32_t>(d.size() - 2));
  reply(std::move(d), be16(cdb + 7));
}

// Polled event status: only the media class, with a disc that is present
// and never changes.
void AtapiCdrom::scsi_event_status(const uint8_t* cdb) {
  if (!(cdb[1] & 1)) return check_condition(kIllegalRequest, kInvalidFieldInCdb);  // asynchronous
  constexpr uint8_t kMediaClass = 0x10;
  std::vector<uint8_t> d(4);
  d[3] = kMediaClass;  // the classes supported
  if (cdb[4] & kMediaClass) {
    d[2] = 0x04;  // a media event
    const uint8_t e[4] = {0x00, 0x02, 0x00, 0x00};  // no change; a disc is present
    d.insert(d.end(), e, e + sizeof e);
  } else {
    d[2] = 0x80;  // no event available
  }
  put16(d, 0, static_cast<uint32_t>(d.size() - 2));
  reply(std::move(d), be16(cdb + 7));
}

}  // namespace bt86
