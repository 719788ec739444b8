// devices/ata_disk.h behind devices/ide_channel.h: the task file, the PIO
// and DMA protocols, addressing (LBA28, LBA48, CHS), READ/WRITE MULTIPLE,
// errors (out of range, unknown commands, host I/O errors, read-only
// media), SRST, nIEN, FLUSH CACHE, and an absent device 1.
#include <algorithm>

#include "bt86/devices/ata_disk.h"
#include "ide_rig.h"

namespace {

using namespace bt86::ata;
using bt86::test::pattern;

constexpr size_t kSectors = 2048;  // 1 MiB

struct Disk : bt86::test::IdeRig {
  bt86::MemoryBackend media{kSectors * 512};
  bt86::AtaDisk disk{media};
  Disk() {
    auto bytes = pattern(media.size(), 1);
    std::copy(bytes.begin(), bytes.end(), media.bytes_.begin());
    piix.channel(0).attach(0, disk);
  }
  std::vector<uint8_t> sector_bytes(size_t lba, size_t n) {
    return {media.bytes_.begin() + static_cast<long>(lba * 512), media.bytes_.begin() + static_cast<long>((lba + n) * 512)};
  }
};

}  // namespace

TEST_CASE_METHOD(Disk, "ata: the signature after reset, then IDENTIFY DEVICE", "[dev][ide]") {
  CHECK(in(kStatus) == (kDrdy | kDsc));
  CHECK(in(kCount) == 1);
  CHECK(in(kLbaLow) == 1);
  CHECK(in(kLbaMid) == 0);
  CHECK(in(kLbaHigh) == 0);
  CHECK(in(kError) == 0x01);
  out(kDevice, 0xA0);
  out(kCommand, kIdentify);
  CHECK(irq.level);
  CHECK(alt_status() == (kDrdy | kDsc | kDrq));
  CHECK(irq.level);  // the Alternate Status does not acknowledge
  CHECK(in(kStatus) == (kDrdy | kDsc | kDrq));
  CHECK_FALSE(irq.level);
  const std::vector<uint8_t> page = read_bytes(512);
  auto word = [&](unsigned i) { return page[2 * i] | page[2 * i + 1] << 8; };
  CHECK(word(0) == 0x0040);
  CHECK((word(60) | word(61) << 16) == kSectors);
  CHECK(word(100) == kSectors);
  CHECK(word(83) & 0x0400);  // LBA48
  CHECK(static_cast<size_t>(word(1) * word(3) * word(6)) <= kSectors);
  CHECK(std::string(page.begin() + 54, page.begin() + 58) == "TB68");  // "BT86", bytes swapped per word
  uint8_t sum = 0;
  for (uint8_t b : page) sum = static_cast<uint8_t>(sum + b);
  CHECK(sum == 0);
  CHECK((word(255) & 0xFF) == 0xA5);
  CHECK(in(kStatus) == (kDrdy | kDsc));  // all read: DRQ falls, no further interrupt
  CHECK(irq.rises == 1);
}

TEST_CASE_METHOD(Disk, "ata: PIO read of several sectors, an interrupt per DRQ block", "[dev][ide]") {
  lba28(kReadSectors, 5, 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(irq.level);
    CHECK(in(kStatus) == (kDrdy | kDsc | kDrq));
    CHECK(read_bytes(512) == sector_bytes(5 + i, 1));
  }
  CHECK(in(kStatus) == (kDrdy | kDsc));
  CHECK(irq.rises == 3);
  CHECK(in(kLbaLow) == 7);  // the last sector read
  CHECK(data() == 0xFFFF);  // nothing more to read
}

TEST_CASE_METHOD(Disk, "ata: PIO write of several sectors reaches the media", "[dev][ide]") {
  const auto bytes = pattern(3 * 512, 99);
  lba28(kWriteSectors, 100, 3);
  CHECK_FALSE(irq.level);  // the first block needs no interrupt
  for (int i = 0; i < 3; ++i) {
    CHECK(in(kStatus) == (kDrdy | kDsc | kDrq));
    write_bytes({bytes.begin() + i * 512, bytes.begin() + (i + 1) * 512});
    CHECK(irq.level);  // a block taken: the next, or the end
  }
  CHECK(in(kStatus) == (kDrdy | kDsc));
  CHECK(sector_bytes(100, 3) == bytes);
  CHECK(irq.rises == 3);
}

TEST_CASE_METHOD(Disk, "ata: 32-bit data port accesses move two words", "[dev][ide]") {
  lba28(kReadSectors, 9, 1);
  std::vector<uint8_t> got;
  for (int i = 0; i < 128; ++i) {
    uint32_t v = io.read(kCmd, 4);
    for (int b = 0; b < 4; ++b) got.push_back(static_cast<uint8_t>(v >> (8 * b)));
  }
  CHECK(got == sector_bytes(9, 1));
}

TEST_CASE_METHOD(Disk, "ata: CHS addressing follows INITIALIZE DEVICE PARAMETERS", "[dev][ide]") {
  out(kCount, 8);      // sectors per track
  out(kDevice, 0xA3);  // 4 heads
  out(kCommand, kInitializeParameters);
  CHECK(in(kStatus) == (kDrdy | kDsc));
  // C/H/S 1/2/3 = (1 * 4 + 2) * 8 + 3 - 1 = 50
  out(kCount, 1), out(kLbaLow, 3), out(kLbaMid, 1), out(kLbaHigh, 0), out(kDevice, 0xA2);
  out(kCommand, kReadSectors);
  CHECK(read_bytes(512) == sector_bytes(50, 1));
  CHECK(in(kLbaLow) == 3);  // the address stays in CHS form
  CHECK(in(kDevice) == 0xA2);
  out(kLbaLow, 0), out(kCommand, kReadSectors);  // sector 0 does not exist
  CHECK(in(kStatus) == (kDrdy | kDsc | kErr));
  CHECK(in(kError) == kIdnf);
  out(kLbaLow, 1), out(kDevice, 0xA4), out(kCommand, kReadSectors);  // head 4 of 4
  CHECK(in(kError) == kIdnf);
}

TEST_CASE_METHOD(Disk, "ata: READ/WRITE MULTIPLE move SET MULTIPLE's blocks", "[dev][ide]") {
  lba28(kReadMultiple, 0, 6);
  CHECK(in(kStatus) == (kDrdy | kDsc | kErr));  // multiple mode is off
  CHECK(in(kError) == kAbrt);
  out(kCount, 3), out(kCommand, kSetMultiple);  // not a power of two
  CHECK(in(kError) == kAbrt);
  out(kCount, 4), out(kCommand, kSetMultiple);
  CHECK(in(kStatus) == (kDrdy | kDsc));
  irq.rises = 0;
  lba28(kReadMultiple, 20, 6);
  CHECK(in(kStatus) & kDrq);
  CHECK(read_bytes(4 * 512) == sector_bytes(20, 4));  // one block of four
  CHECK(in(kStatus) & kDrq);
  CHECK(read_bytes(2 * 512) == sector_bytes(24, 2));  // and the rest
  CHECK(in(kStatus) == (kDrdy | kDsc));
  CHECK(irq.rises == 2);
  const auto bytes = pattern(5 * 512, 3);
  lba28(kWriteMultiple, 40, 5);
  write_bytes({bytes.begin(), bytes.begin() + 4 * 512});
  CHECK(in(kStatus) & kDrq);
  write_bytes({bytes.begin() + 4 * 512, bytes.end()});
  CHECK(in(kStatus) == (kDrdy | kDsc));
  CHECK(sector_bytes(40, 5) == bytes);
}

TEST_CASE_METHOD(Disk, "ata: LBA48 commands take the high-order bytes", "[dev][ide]") {
  // Sector 0x700, count 0x0002: each register written twice, high byte first.
  for (auto [reg, hi, lo] : {std::tuple{kCount, 0, 2}, {kLbaLow, 0, 0x00}, {kLbaMid, 0, 0x07}, {kLbaHigh, 0, 0}}) {
    out(reg, static_cast<uint8_t>(hi));
    out(reg, static_cast<uint8_t>(lo));
  }
  out(kDevice, 0x40), out(kCommand, kReadSectorsExt);
  CHECK(read_bytes(1024) == sector_bytes(0x700, 2));
  control(kHob);
  CHECK(in(kLbaMid) == 0);  // the high-order byte of LBA 0x701
  control(0);
  CHECK(in(kLbaMid) == 7);
  CHECK(in(kLbaLow) == 1);
  // LBA 2^24 is past this disk, though LBA28 could not even say it.
  out(kLbaLow, 1), out(kLbaLow, 0), out(kCommand, kReadSectorsExt);
  CHECK(in(kError) == kIdnf);
  out(kCommand, kReadNativeMaxExt);
  CHECK((in(kLbaHigh) << 16 | in(kLbaMid) << 8 | in(kLbaLow)) == kSectors - 1);
}

TEST_CASE_METHOD(Disk, "ata: a request past the last sector fails with IDNF and moves nothing", "[dev][ide]") {
  const auto before = media.bytes_;
  lba28(kWriteSectors, kSectors - 1, 2);
  CHECK(in(kStatus) == (kDrdy | kDsc | kErr));
  CHECK(in(kError) == kIdnf);
  CHECK(irq.rises == 1);
  write_bytes(pattern(1024, 5));  // no DRQ: the data goes nowhere
  CHECK(media.bytes_ == before);
  lba28(kReadSectors, kSectors, 1);
  CHECK(in(kError) == kIdnf);
  lba28(kReadSectors, kSectors - 1, 1);  // the last sector itself is fine
  CHECK(read_bytes(512) == sector_bytes(kSectors - 1, 1));
}

TEST_CASE_METHOD(Disk, "ata: unknown commands and NOP abort", "[dev][ide]") {
  for (uint8_t command : {uint8_t{0xFF}, uint8_t{kNop}, uint8_t{kPacket}, uint8_t{kIdentifyPacket}, uint8_t{0xB0}}) {
    out(kDevice, 0xA0);
    out(kCommand, command);
    CHECK(in(kStatus) == (kDrdy | kDsc | kErr));
    CHECK(in(kError) == kAbrt);
  }
  CHECK(irq.rises == 5);
  out(kCommand, kCheckPowerMode);  // a command that works clears the error
  CHECK(in(kStatus) == (kDrdy | kDsc));
  CHECK(in(kError) == 0);
  CHECK(in(kCount) == 0xFF);
}

TEST_CASE_METHOD(Disk, "ata: SRST resets the device and ends its transfer", "[dev][ide]") {
  lba28(kReadSectors, 3, 2);
  CHECK(irq.level);
  control(kSrst);
  CHECK(alt_status() & kBsy);
  CHECK_FALSE(irq.level);
  control(0);
  CHECK(in(kStatus) == (kDrdy | kDsc));  // no DRQ: the read is gone
  CHECK(in(kCount) == 1);
  CHECK(in(kLbaLow) == 1);
  CHECK(in(kLbaMid) == 0);
  CHECK(in(kError) == 0x01);
  CHECK(data() == 0xFFFF);
}

TEST_CASE_METHOD(Disk, "ata: nIEN keeps the interrupt off the line until it is cleared", "[dev][ide]") {
  control(kNien);
  lba28(kReadVerify, 0, 8);
  CHECK_FALSE(irq.level);
  CHECK(bm_status() == 0);
  control(0);  // still pending: the line rises now
  CHECK(irq.level);
  CHECK(bm_status() & 0x04);
  in(kStatus);
  CHECK_FALSE(irq.level);
}

TEST_CASE_METHOD(Disk, "ata: READ DMA through a PRD table of two entries", "[dev][ide]") {
  memory.prd(0x1000, 0x20000, 1024, false);
  memory.prd(0x1008, 0x30000, 1024, true);
  lba28(kReadDma, 12, 4);
  CHECK(in(kStatus) == (kDrdy | kDsc | kDrq));  // waits for the bus master
  CHECK_FALSE(irq.level);
  bm_start(0x1000, true);
  CHECK(irq.level);
  CHECK(in(kStatus) == (kDrdy | kDsc));
  CHECK(bm_status() == 0x04);  // not active (the table was used up), interrupt
  CHECK(std::equal(memory.ram.begin() + 0x20000, memory.ram.begin() + 0x20400, media.bytes_.begin() + 12 * 512));
  CHECK(std::equal(memory.ram.begin() + 0x30000, memory.ram.begin() + 0x30400, media.bytes_.begin() + 14 * 512));
  CHECK(memory.writes == std::vector<std::pair<uint64_t, uint64_t>>{{0x20000, 1024}, {0x30000, 1024}});
  CHECK(in(kLbaLow) == 15);
}

TEST_CASE_METHOD(Disk, "ata: WRITE DMA, the bus master started before the command", "[dev][ide]") {
  const auto bytes = pattern(2048, 77);
  std::copy(bytes.begin(), bytes.end(), memory.ram.begin() + 0x40000);
  memory.prd(0x2000, 0x40000, 0, true);  // 64 KiB: more than the transfer
  bm_start(0x2000, false);
  lba28(kWriteDma, 300, 4);
  CHECK(sector_bytes(300, 4) == bytes);
  CHECK(in(kStatus) == (kDrdy | kDsc));
  CHECK(bm_status() == 0x05);  // still active (the table was longer), interrupt
  CHECK(memory.writes.empty());
}

TEST_CASE_METHOD(Disk, "ata: a PRD outside memory is a bus error, and the command fails", "[dev][ide]") {
  memory.prd(0x1000, 0x20000, 512, false);
  memory.prd(0x1008, 0xFFFFF000, 512, true);  // not RAM
  lba28(kReadDma, 0, 2);
  bm_start(0x1000, true);
  CHECK(bm_status() == 0x06);  // error, interrupt, not active
  CHECK(in(kStatus) == (kDrdy | kDsc | kErr));
  CHECK(in(kError) == kAbrt);
  memory.prd(0x1000, 0xFFF00, 0x200, true);  // straddles the end of memory
  lba28(kReadDma, 0, 1);
  bm_start(0x1000, true);
  CHECK(bm_status() & 0x02);
  bm_start(0x100000, true);  // the table itself is outside
  lba28(kReadDma, 0, 1);
  CHECK(bm_status() & 0x02);
  CHECK(in(kError) == kAbrt);
}

TEST_CASE_METHOD(Disk, "ata: a PRD table shorter than the transfer leaves the device waiting", "[dev][ide]") {
  memory.prd(0x1000, 0x20000, 512, true);
  lba28(kReadDma, 0, 2);
  bm_start(0x1000, true);
  CHECK(bm_status() == 0x00);  // not active, no interrupt
  CHECK(in(kStatus) == (kDrdy | kDsc | kDrq));
  memory.prd(0x1000, 0x30000, 512, true);  // the rest, from a new table
  io.write(kBm, 1, 0x08);
  bm_start(0x1000, true);
  CHECK(in(kStatus) == (kDrdy | kDsc));
  CHECK(std::equal(memory.ram.begin() + 0x30000, memory.ram.begin() + 0x30200, media.bytes_.begin() + 512));
}

TEST_CASE_METHOD(Disk, "ata: DMA needs bus mastering enabled in the PCI command register", "[dev][ide]") {
  piix.config_write(0x04, 2, 0x0001);  // I/O only
  memory.prd(0x1000, 0x20000, 512, true);
  lba28(kReadDma, 0, 1);
  bm_start(0x1000, true);
  CHECK(in(kStatus) & kDrq);  // nothing moved
  piix.config_write(0x04, 2, 0x0005);
  CHECK(in(kStatus) == (kDrdy | kDsc));
}

TEST_CASE_METHOD(Disk, "ata: FLUSH CACHE flushes the media; a host I/O error is the guest's error", "[dev][ide]") {
  out(kCommand, kFlushCache);
  CHECK(media.flushes == 1);
  CHECK(in(kStatus) == (kDrdy | kDsc));
  out(kCommand, kFlushCacheExt);
  CHECK(media.flushes == 2);
  media.fail = true;
  out(kCommand, kFlushCache);
  CHECK(in(kError) == kAbrt);
  lba28(kReadSectors, 0, 1);
  CHECK(in(kStatus) == (kDrdy | kDsc | kErr));
  CHECK(in(kError) == kUnc);
  memory.prd(0x1000, 0x20000, 512, true);
  lba28(kReadDma, 0, 1);
  bm_start(0x1000, true);
  CHECK(in(kError) == kUnc);
  lba28(kWriteSectors, 0, 1);
  write_bytes(pattern(512, 0));
  CHECK(in(kError) == kAbrt);
}

TEST_CASE("ata: writes to read-only media abort", "[dev][ide]") {
  bt86::test::IdeRig rig;
  bt86::MemoryBackend media(64 * 512, /*read_only=*/true);
  bt86::AtaDisk disk(media);
  rig.piix.channel(0).attach(0, disk);
  rig.lba28(kWriteSectors, 0, 1);
  CHECK(rig.in(rig.kStatus) == (kDrdy | kDsc | kErr));
  CHECK(rig.in(rig.kError) == kAbrt);
  rig.lba28(kReadSectors, 0, 1);
  CHECK(rig.in(rig.kStatus) == (kDrdy | kDsc | kDrq));
}

TEST_CASE_METHOD(Disk, "ata: an absent device 1 reads status 0, latches registers, takes no commands", "[dev][ide]") {
  out(kDevice, 0xB0);
  CHECK(in(kStatus) == 0);
  CHECK(alt_status() == 0);
  CHECK(in(kError) == 0);
  out(kCount, 0x55), out(kLbaLow, 0xAA);  // what SeaBIOS and Linux probe with
  CHECK(in(kCount) == 0x55);
  CHECK(in(kLbaLow) == 0xAA);
  CHECK(in(kDevice) == 0xB0);
  out(kCommand, kIdentify);
  CHECK_FALSE(irq.level);
  CHECK(in(kStatus) == 0);
  CHECK(data() == 0xFFFF);
  control(kSrst), control(0);
  out(kDevice, 0xB0);
  CHECK(in(kLbaMid) == 0xFF);  // neither ATA's nor ATAPI's signature
  CHECK(in(kLbaHigh) == 0xFF);
  out(kDevice, 0xA0);
  CHECK(in(kStatus) == (kDrdy | kDsc));
  // IDENTIFY word 93: device 0 says it answers for device 1.
  out(kCommand, kIdentify);
  auto page = read_bytes(512);
  CHECK(((page[186] | page[187] << 8) & 0xDF61) == 0x4041);
}

TEST_CASE("ide: a channel without devices floats", "[dev][ide]") {
  bt86::test::IdeRig rig;
  CHECK(rig.in(rig.kStatus) == 0xFF);
  CHECK(rig.in(rig.kCount) == 0xFF);
  CHECK(rig.alt_status() == 0xFF);
  CHECK(rig.io.read(0x177, 1) == 0xFF);
}
