// One device on an IDE channel (ATA/ATAPI-6): what both kinds share. The
// channel (ide_channel.h) decodes the ports; a drive sees its task file,
// the command register, the data port and the bus master's DMA requests.
//
// Commands complete at once: BSY is never seen, data is ready when DRQ
// rises, and an interrupt (when not masked with nIEN) marks each DRQ
// block of a PIO read, each block after the first of a PIO write, and the
// end of every command; a DMA command's data moves when both the command
// and the bus master's start bit are there, whichever comes last.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "bt86/devices/ata.h"
#include "bt86/devices/block_backend.h"

namespace bt86 {

// The Command Block registers of one device. The host's writes reach both
// devices on a channel; each register keeps the value before the last
// write, which LBA48 commands take as the high-order byte (read back with
// HOB set in Device Control).
struct TaskFile {
  enum Register : unsigned { kData, kFeature, kCount, kLbaLow, kLbaMid, kLbaHigh, kDevice, kCommand };
  uint8_t reg[8] = {};  // indexed by Register (kData and kCommand unused)
  uint8_t previous[8] = {};
  uint8_t status = 0, error = 0;

  void write(unsigned r, uint8_t v) {
    previous[r] = reg[r];
    reg[r] = v;
  }
  uint8_t count() const { return reg[kCount]; }
  uint8_t device() const { return reg[kDevice]; }
  // LBA48's address and count (0 means 65536), from the current and previous bytes.
  uint64_t lba48() const;
  uint32_t count48() const;
  void set_lba48(uint64_t lba);
  // What a reset or EXECUTE DEVICE DIAGNOSTIC leaves (Error 01h: passed).
  void set_signature(uint8_t mid, uint8_t high);
};

class IdeDrive {
public:
  explicit IdeDrive(BlockBackend& media) : media_(media) {}
  virtual ~IdeDrive() = default;
  IdeDrive(const IdeDrive&) = delete;
  IdeDrive& operator=(const IdeDrive&) = delete;

  virtual bool atapi() const = 0;
  // Power-on or software reset: ends any command and leaves the signature.
  virtual void reset() = 0;
  virtual void execute(uint8_t command) = 0;

  // The channel wires the drive to its task file and its interrupt request.
  void connect(TaskFile& regs, std::function<void()> interrupt) {
    regs_ = &regs;
    interrupt_ = std::move(interrupt);
  }
  BlockBackend& media() { return media_; }

  // The data port (16- or 32-bit, or a byte): the next bytes of the PIO
  // block; all ones when no block is being transferred.
  uint32_t read_data(unsigned size);
  void write_data(unsigned size, uint32_t value);

  // Bus-master DMA, the device's side: a command waiting for its data to
  // move, which way, and how many bytes are left.
  bool dma_requested() const { return dma_.requested; }
  bool dma_to_memory() const { return dma_.to_memory; }
  uint64_t dma_left() const { return dma_.left; }
  // Moves the next memory.size() (<= dma_left()) bytes between the device
  // and memory; false after a host I/O error (the command then failed).
  bool dma_transfer(std::span<uint8_t> memory);
  // The bus master could not reach memory (a PRD outside RAM): the command
  // ends with an error.
  void dma_bus_error();

protected:
  TaskFile& regs() { return *regs_; }
  void interrupt() {
    if (interrupt_) interrupt_();
  }
  // Ends the command: status DRDY (and ERR with error), and an interrupt
  // unless the command's last one came earlier (a PIO read's last block).
  void complete(uint8_t error = 0, bool raise_interrupt = true);
  // Starts a PIO block of n bytes: from buffer_ to the host (in; the caller
  // filled it) or from the host into buffer_ (out). pio_block_done() follows
  // when the host has moved all of it.
  void pio_in(size_t n, bool raise_interrupt = true);
  void pio_out(size_t n, bool raise_interrupt);
  virtual void pio_block_done(bool out) = 0;
  // Ends a PIO transfer early (a reset, a new command).
  void cancel_transfers();
  // Requests DMA of bytes: to or from the media at offset, or (no_media)
  // from buffer_.
  void dma_request(bool to_memory, uint64_t bytes, uint64_t media_offset, bool from_buffer);
  // The last byte moved, or the transfer failed (the media's host I/O
  // error, or memory the bus master could not reach).
  enum class DmaEnd { kDone, kHostError, kBusError };
  virtual void dma_done(DmaEnd end) = 0;

  std::vector<uint8_t> buffer_;

private:
  BlockBackend& media_;
  TaskFile* regs_ = nullptr;
  std::function<void()> interrupt_;
  size_t pos_ = 0, end_ = 0;
  bool out_ = false;
  struct {
    bool requested = false, to_memory = false, from_buffer = false;
    uint64_t offset = 0, left = 0;
  } dma_;
};

}  // namespace bt86
