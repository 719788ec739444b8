// An ATAPI CD-ROM drive (ATA/ATAPI-6 PACKET feature set, MMC commands) with
// a disc always loaded: 2048-byte sectors of a read-only BlockBackend, as
// one data track. It takes the ATA commands an ATAPI device must (IDENTIFY
// PACKET DEVICE, PACKET, DEVICE RESET, EXECUTE DEVICE DIAGNOSTIC, SET
// FEATURES, the power commands) and aborts every other one with the ATAPI
// signature in the task file, which is how hosts recognise it.
//
// The SCSI commands (atapi_scsi.cpp) are those BIOS El Torito boots and
// Linux's sr/cdrom drivers send: TEST UNIT READY, REQUEST SENSE, INQUIRY,
// READ CAPACITY, READ(10)/(12), MODE SENSE(10), GET CONFIGURATION, READ
// TOC/PMA/ATIP, START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL, GET EVENT
// STATUS NOTIFICATION; anything else is CHECK CONDITION with ILLEGAL
// REQUEST / invalid command operation code.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "bt86/devices/ide_drive.h"

namespace bt86 {

class AtapiCdrom final : public IdeDrive {
public:
  static constexpr unsigned kSector = 2048;
  static constexpr unsigned kPacketSize = 12;

  // Sense keys and additional sense codes (SPC-3) the drive reports.
  enum SenseKey : uint8_t { kNoSense = 0, kNotReady = 2, kMediumError = 3, kIllegalRequest = 5, kUnitAttention = 6 };
  enum Asc : uint8_t {
    kUnrecoveredReadError = 0x11,
    kInvalidOpcode = 0x20,
    kLbaOutOfRange = 0x21,
    kInvalidFieldInCdb = 0x24,
  };

  explicit AtapiCdrom(BlockBackend& media, std::string model = "BT86 CD-ROM");

  bool atapi() const override { return true; }
  void reset() override;
  void execute(uint8_t command) override;

  uint64_t blocks() const { return blocks_; }
  void set_alone(bool alone) { alone_ = alone; }
  std::array<uint16_t, 256> identify_page() const;

private:
  enum class Phase { kIdle, kPacket, kData };
  void pio_block_done(bool out) override;
  void dma_done(DmaEnd end) override;
  void run_packet();
  // The outcomes of a SCSI command (atapi_scsi.cpp).
  void reply(std::vector<uint8_t> data, uint32_t allocation_length);
  void read_blocks(uint64_t lba, uint64_t count);
  void check_condition(uint8_t key, uint8_t asc, uint8_t ascq = 0);
  void good();
  // The next PIO DRQ block of the data phase (ATAPI's byte count limit).
  void next_data_block();
  void set_reason(bool io, bool cod);

  void scsi_inquiry(const uint8_t* cdb);
  void scsi_mode_sense(const uint8_t* cdb);
  void scsi_get_configuration(const uint8_t* cdb);
  void scsi_read_toc(const uint8_t* cdb);
  void scsi_event_status(const uint8_t* cdb);
  void scsi_request_sense(const uint8_t* cdb);

  const uint64_t blocks_;
  const std::string model_;
  bool alone_ = true;
  Phase phase_ = Phase::kIdle;
  bool dma_ = false;       // the PACKET command asked for DMA (Features bit 0)
  uint32_t limit_ = 0;     // the byte count limit of the PACKET command
  // The data phase: from the media at offset_ (reading_) or from data_.
  bool reading_ = false;
  uint64_t offset_ = 0, left_ = 0;
  std::vector<uint8_t> data_;
  uint8_t sense_key_ = kNoSense, asc_ = 0, ascq_ = 0;
};

}  // namespace bt86
