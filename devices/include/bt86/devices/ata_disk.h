// An ATA hard disk (ATA/ATAPI-6 feature set, without SMART or security):
// PIO and DMA reads and writes in LBA28, LBA48 and CHS addressing, READ/
// WRITE MULTIPLE, FLUSH CACHE, IDENTIFY DEVICE and the housekeeping
// commands, on 512-byte sectors of a BlockBackend. A request that reaches
// past the last sector fails with IDNF before any data moves; a host I/O
// error fails the command with UNC (reads) or ABRT (writes).
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "bt86/devices/ide_drive.h"

namespace bt86 {

class AtaDisk final : public IdeDrive {
public:
  static constexpr unsigned kSector = 512;
  static constexpr unsigned kMaxMultiple = 16;  // sectors per DRQ block in READ/WRITE MULTIPLE

  // The media's size is a whole number of sectors (DiskImage checks it).
  explicit AtaDisk(BlockBackend& media, std::string model = "BT86 HARDDISK");

  bool atapi() const override { return false; }
  void reset() override;
  void execute(uint8_t command) override;

  uint64_t sectors() const { return sectors_; }
  // The default CHS geometry (IDENTIFY words 1, 3, 6): 16 heads, 63 sectors.
  struct Geometry {
    unsigned cylinders, heads, sectors;
  };
  Geometry default_geometry() const { return geometry_; }
  // Whether device 1 is absent from the channel (IDENTIFY word 93 says that
  // device 0 answers for it).
  void set_alone(bool alone) { alone_ = alone; }

  std::array<uint16_t, 256> identify_page() const;

private:
  enum class Transfer { kPioIn, kPioOut, kDmaIn, kDmaOut };
  void start(Transfer how, bool ext, unsigned block);
  void next_block();
  void pio_block_done(bool out) override;
  void dma_done(DmaEnd end) override;
  // The command's starting sector, or nullopt for a CHS address outside the geometry.
  bool address(bool ext, uint64_t& lba) const;
  void report_address(uint64_t lba);  // Command Block registers after a command
  void set_features();
  void initialize_parameters();
  void read_native_max(bool ext);

  const uint64_t sectors_;
  const std::string model_;
  Geometry geometry_;
  unsigned current_heads_, current_sectors_;  // INITIALIZE DEVICE PARAMETERS
  unsigned multiple_ = 0;                     // SET MULTIPLE: 0 = off
  bool write_cache_ = true, alone_ = true;
  uint8_t dma_mode_ = 0x22;  // SET FEATURES 03h: 0x20+n multiword DMA n, 0x40+n Ultra DMA n
  // The command in progress.
  uint64_t lba_ = 0;
  uint32_t left_ = 0;  // sectors
  unsigned block_ = 1, in_block_ = 0;
  bool ext_ = false, chs_ = false, writing_ = false;
};

}  // namespace bt86
