// devices/atapi_cdrom.h behind devices/ide_channel.h: the ATAPI signature,
// IDENTIFY PACKET DEVICE, the PACKET protocol (byte count limit, interrupt
// reason, status), the SCSI commands an El Torito boot and Linux send, the
// sense data of a failed command, and DMA.
#include <algorithm>

#include "bt86/devices/atapi_cdrom.h"
#include "ide_rig.h"

namespace {

using namespace bt86::ata;
using bt86::test::pattern;

constexpr size_t kBlocks = 40;
constexpr uint8_t kReasonCoD = 1, kReasonIo = 2;

struct Cdrom : bt86::test::IdeRig {
  bt86::MemoryBackend media{kBlocks * 2048, /*read_only=*/true};
  bt86::AtapiCdrom cd{media};
  Cdrom() {
    media.bytes_ = pattern(media.size(), 9);
    piix.channel(0).attach(0, cd);
  }
  // PACKET with a byte count limit, then the 12-byte CDB.
  void packet(std::vector<uint8_t> cdb, uint16_t limit = 0xFFFE, bool dma = false) {
    cdb.resize(12);
    out(kDevice, 0xA0);
    out(kFeature, dma ? 1 : 0);
    out(kLbaMid, static_cast<uint8_t>(limit));
    out(kLbaHigh, static_cast<uint8_t>(limit >> 8));
    out(kCommand, kPacket);
    REQUIRE(alt_status() & kDrq);
    REQUIRE(in(kCount) == kReasonCoD);
    write_bytes(cdb);
  }
  uint16_t byte_count() { return static_cast<uint16_t>(in(kLbaMid) | in(kLbaHigh) << 8); }
  // All of a data-in phase, block by block.
  std::vector<uint8_t> data_in(std::vector<unsigned>* blocks = nullptr) {
    std::vector<uint8_t> all;
    while (in(kStatus) & kDrq) {
      CHECK(in(kCount) == kReasonIo);
      const unsigned n = byte_count();
      if (blocks) blocks->push_back(n);
      auto part = read_bytes(n);
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }
  bool completed_ok() { return in(kStatus) == (kDrdy | kDsc) && in(kCount) == (kReasonIo | kReasonCoD); }
  std::vector<uint8_t> sense() {
    packet({0x03, 0, 0, 0, 18});
    return data_in();
  }
};

std::vector<uint8_t> read10(uint32_t lba, uint16_t n) {
  return {0x28, 0, static_cast<uint8_t>(lba >> 24), static_cast<uint8_t>(lba >> 16), static_cast<uint8_t>(lba >> 8),
          static_cast<uint8_t>(lba), 0, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
}

}  // namespace

TEST_CASE_METHOD(Cdrom, "atapi: the signature, IDENTIFY DEVICE aborts, IDENTIFY PACKET DEVICE answers", "[dev][ide][atapi]") {
  CHECK(in(kStatus) == 0);
  CHECK(in(kLbaMid) == 0x14);
  CHECK(in(kLbaHigh) == 0xEB);
  out(kLbaMid, 0), out(kLbaHigh, 0);
  out(kCommand, kIdentify);
  CHECK(in(kStatus) & kErr);
  CHECK(in(kError) == kAbrt);
  CHECK(in(kLbaMid) == 0x14);  // the signature again, for the host that asked the wrong way
  CHECK(in(kLbaHigh) == 0xEB);
  out(kCommand, kIdentifyPacket);
  CHECK(irq.level);
  auto page = read_bytes(512);
  CHECK((page[0] | page[1] << 8) == 0x85C0);  // ATAPI CD-ROM, removable, 12-byte packets
  CHECK(std::string(page.begin() + 54, page.begin() + 60) == "TB68C ");
  CHECK(in(kStatus) == (kDrdy | kDsc));
}

TEST_CASE_METHOD(Cdrom, "atapi: READ(10) in DRQ blocks of the byte count limit", "[dev][ide][atapi]") {
  std::vector<unsigned> blocks;
  packet(read10(3, 2), 2048);
  CHECK(irq.level);
  CHECK(data_in(&blocks) == std::vector<uint8_t>(media.bytes_.begin() + 3 * 2048, media.bytes_.begin() + 5 * 2048));
  CHECK(blocks == std::vector<unsigned>{2048, 2048});
  CHECK(completed_ok());
  blocks.clear();
  packet(read10(0, 1), 1001);  // an odd limit means one less
  CHECK(data_in(&blocks) == std::vector<uint8_t>(media.bytes_.begin(), media.bytes_.begin() + 2048));
  CHECK(blocks == std::vector<unsigned>{1000, 1000, 48});
  packet({0xA8, 0, 0, 0, 0, 39, 0, 0, 0, 1});  // READ(12) of the last block
  CHECK(data_in() == std::vector<uint8_t>(media.bytes_.end() - 2048, media.bytes_.end()));
}

TEST_CASE_METHOD(Cdrom, "atapi: a read past the disc fails; REQUEST SENSE says why, once", "[dev][ide][atapi]") {
  packet(read10(kBlocks - 1, 2));
  CHECK(in(kStatus) == (kDrdy | kDsc | kErr));
  CHECK(in(kError) == 0x50);  // sense key ILLEGAL REQUEST
  CHECK(in(kCount) == (kReasonIo | kReasonCoD));
  auto s = sense();
  REQUIRE(s.size() == 18);
  CHECK(s[0] == 0x70);
  CHECK(s[2] == 5);
  CHECK(s[12] == 0x21);  // logical block address out of range
  CHECK(completed_ok());
  CHECK(sense()[2] == 0);  // reported, so cleared
  packet({0xBD});  // MECHANISM STATUS: not this drive's
  CHECK(in(kError) == 0x50);
  CHECK(sense()[12] == 0x20);  // invalid command operation code
}

TEST_CASE_METHOD(Cdrom, "atapi: TEST UNIT READY, READ CAPACITY, INQUIRY", "[dev][ide][atapi]") {
  packet({0x00});
  CHECK_FALSE(in(kStatus) & kDrq);
  CHECK(completed_ok());
  packet({0x25});
  CHECK(data_in() == std::vector<uint8_t>{0, 0, 0, kBlocks - 1, 0, 0, 0x08, 0});
  packet({0x12, 0, 0, 0, 36});
  auto inquiry = data_in();
  REQUIRE(inquiry.size() == 36);
  CHECK(inquiry[0] == 0x05);  // CD/DVD
  CHECK(inquiry[1] == 0x80);  // removable
  packet({0x12, 0, 0, 0, 5});  // the allocation length cuts the reply
  CHECK(data_in().size() == 5);
  packet({0x1E, 0, 0, 0, 1});  // PREVENT MEDIUM REMOVAL
  CHECK(completed_ok());
  packet({0x1B, 0, 0, 0, 2});  // eject: accepted (the disc stays)
  CHECK(completed_ok());
}

TEST_CASE_METHOD(Cdrom, "atapi: READ TOC, MODE SENSE, GET CONFIGURATION, GET EVENT STATUS", "[dev][ide][atapi]") {
  packet({0x43, 0, 0, 0, 0, 0, 0, 0, 100});
  auto toc = data_in();
  REQUIRE(toc.size() == 20);
  CHECK(toc[1] == 18);
  CHECK(toc[2] == 1);
  CHECK(toc[3] == 1);
  CHECK(toc[5] == 0x14);   // a data track
  CHECK(toc[14] == 0xAA);  // the lead-out
  CHECK(toc[19] == kBlocks);
  packet({0x43, 2, 0, 0, 0, 0, 0, 0, 100});  // in MSF: 40 + 150 frames = 00:02:40
  toc = data_in();
  CHECK(std::vector<uint8_t>(toc.end() - 4, toc.end()) == std::vector<uint8_t>{0, 0, 2, 40});
  packet({0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 255});
  auto mode = data_in();
  REQUIRE(mode.size() == 30);
  CHECK(mode[8] == 0x2A);
  packet({0x5A, 0, 0x05, 0, 0, 0, 0, 0, 255});  // the write parameters page: not a reader's
  CHECK(in(kError) == 0x50);
  packet({0x46, 0, 0, 0, 0, 0, 0, 0, 32});
  auto config = data_in();
  REQUIRE(config.size() == 16);
  CHECK(config[7] == 0x08);  // current profile: CD-ROM
  packet({0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8});
  CHECK(data_in() == std::vector<uint8_t>{0, 6, 0x04, 0x10, 0, 0x02, 0, 0});  // media present
  packet({0x4A, 0, 0, 0, 0x10, 0, 0, 0, 8});  // asynchronous notification is not offered
  CHECK(in(kError) == 0x50);
}

TEST_CASE_METHOD(Cdrom, "atapi: READ(10) by DMA", "[dev][ide][atapi]") {
  memory.prd(0x1000, 0x50000, 2 * 2048, true);
  packet(read10(7, 2), 0xFFFE, /*dma=*/true);
  CHECK(in(kStatus) & kDrq);
  bm_start(0x1000, true);
  CHECK(completed_ok());
  CHECK(bm_status() == 0x04);
  CHECK(std::equal(memory.ram.begin() + 0x50000, memory.ram.begin() + 0x51000, media.bytes_.begin() + 7 * 2048));
  memory.prd(0x1000, 0x60000, 0x100, true);
  packet({0x12, 0, 0, 0, 36}, 0xFFFE, true);  // a reply by DMA too
  bm_start(0x1000, true);
  CHECK(memory.ram[0x60000] == 0x05);
  CHECK(completed_ok());
}

TEST_CASE_METHOD(Cdrom, "atapi: a host I/O error is MEDIUM ERROR", "[dev][ide][atapi]") {
  media.fail = true;
  packet(read10(0, 1));
  CHECK(in(kError) == 0x30);
  media.fail = false;
  CHECK(sense()[12] == 0x11);  // unrecovered read error
}
