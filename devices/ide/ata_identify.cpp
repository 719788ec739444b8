// IDENTIFY DEVICE for AtaDisk (ATA/ATAPI-6, table 27).
#include <algorithm>

#include "bt86/devices/ata_disk.h"
#include "ide_identify.h"

namespace bt86 {

std::array<uint16_t, 256> AtaDisk::identify_page() const {
  ata::IdentifyPage id{};
  const uint64_t lba28 = std::min<uint64_t>(sectors_, 0x0FFFFFFF);
  const uint64_t chs = std::min<uint64_t>(sectors_, uint64_t{current_heads_} * current_sectors_ * 16383);
  id[0] = 0x0040;  // fixed disk
  id[1] = static_cast<uint16_t>(geometry_.cylinders);
  id[3] = static_cast<uint16_t>(geometry_.heads);
  id[6] = static_cast<uint16_t>(geometry_.sectors);
  ata::put_string(id, 10, 10, "BT86-0001");  // serial number
  ata::put_string(id, 23, 4, "1.0");         // firmware revision
  ata::put_string(id, 27, 20, model_);
  id[47] = 0x8000 | kMaxMultiple;
  id[49] = 0x0B00;  // LBA, DMA, IORDY
  id[50] = 0x4000;
  id[51] = 0x0200;  // PIO timing mode 2 (obsolete word)
  id[53] = 0x0007;  // words 54-58, 64-70 and 88 are valid
  id[54] = static_cast<uint16_t>(chs / (uint64_t{current_heads_} * current_sectors_));
  id[55] = static_cast<uint16_t>(current_heads_);
  id[56] = static_cast<uint16_t>(current_sectors_);
  id[57] = static_cast<uint16_t>(chs);
  id[58] = static_cast<uint16_t>(chs >> 16);
  if (multiple_) id[59] = static_cast<uint16_t>(0x0100 | multiple_);
  id[60] = static_cast<uint16_t>(lba28);
  id[61] = static_cast<uint16_t>(lba28 >> 16);
  // Multiword DMA 0-2 and Ultra DMA 0-5 supported; the selected one in the high byte.
  id[63] = static_cast<uint16_t>(0x0007 | (dma_mode_ >> 4 == 2 ? 0x0100 << (dma_mode_ & 7) : 0));
  id[64] = 0x0003;  // PIO modes 3 and 4
  id[65] = id[66] = id[67] = id[68] = 120;  // cycle times, ns
  id[80] = 0x007E;  // ATA-1 to ATA-6
  id[82] = 0x4000 | 0x0020;  // NOP... and write cache supported
  id[83] = 0x4000 | 0x0400 | 0x1000 | 0x2000;  // LBA48, FLUSH CACHE (EXT)
  id[84] = 0x4000;
  id[85] = static_cast<uint16_t>(0x4000 | (write_cache_ ? 0x0020 : 0));
  id[86] = 0x0400 | 0x1000 | 0x2000;
  id[87] = 0x4000;
  id[88] = static_cast<uint16_t>(0x003F | (dma_mode_ >> 4 == 4 ? 0x0100 << (dma_mode_ & 7) : 0));
  id[93] = reset_result();
  for (unsigned i = 0; i < 4; ++i) id[100 + i] = static_cast<uint16_t>(sectors_ >> (16 * i));
  ata::seal(id);
  return id;
}

}  // namespace bt86
