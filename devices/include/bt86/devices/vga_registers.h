// The VGA's register file and its port interface (0x3B0-0x3DF): the
// miscellaneous output register, the sequencer, the graphics controller,
// the attribute controller with its index/data flip-flop, the CRT
// controller (at 0x3D4/5 with a colour monitor, 0x3B4/5 with a mono one:
// misc output bit 0) and the DAC's palette. Only what the registers hold
// and how the ports reach them; what they mean for memory and the screen
// is VgaMemory's and vga_text.h's. Registers power on as a BIOS leaves
// them after setting mode 3 (80x25 colour text at 0xB8000), so a kernel
// booted without a BIOS (Multiboot) finds the text screen Multiboot
// promises.
#pragma once
#include <cstdint>

namespace bt86 {

struct VgaRegisters {
  // Port offsets from kPortBase (0x3B0).
  static constexpr uint16_t kPortBase = 0x3B0;
  static constexpr uint64_t kPorts = 0x30;

  // Sequencer, graphics controller and CRTC register numbers that bt86 reads.
  enum : uint8_t { kSeqMapMask = 2, kSeqMemoryMode = 4 };
  enum : uint8_t {
    kGcSetReset = 0, kGcEnableSetReset = 1, kGcColorCompare = 2, kGcRotate = 3, kGcReadMap = 4, kGcMode = 5,
    kGcMisc = 6, kGcColorDontCare = 7, kGcBitMask = 8,
  };
  enum : uint8_t {
    kCrtcHDisplayEnd = 0x01, kCrtcOverflow = 0x07, kCrtcMaxScanLine = 0x09, kCrtcCursorStart = 0x0A,
    kCrtcCursorEnd = 0x0B, kCrtcStartHigh = 0x0C, kCrtcStartLow = 0x0D, kCrtcCursorHigh = 0x0E,
    kCrtcCursorLow = 0x0F, kCrtcVRetraceEnd = 0x11, kCrtcVDisplayEnd = 0x12, kCrtcOffset = 0x13,
  };
  static constexpr uint8_t kAttrModeControl = 0x10;
  static constexpr uint8_t kMiscColor = 0x01, kMiscRamEnable = 0x02;

  VgaRegisters();

  uint8_t read(uint64_t offset);
  // True when the write may have changed how memory is addressed (misc
  // output, sequencer, graphics controller): the owner re-checks then.
  bool write(uint64_t offset, uint8_t value);

  uint8_t misc = 0;
  uint8_t feature = 0;
  uint8_t seq_index = 0, seq[8] = {};
  uint8_t gc_index = 0, gc[16] = {};
  uint8_t crtc_index = 0, crtc[64] = {};
  uint8_t attr_index = 0, attr[32] = {};
  bool attr_expects_data = false;  // the flip-flop: the next 0x3C0 write is data
  uint8_t dac_mask = 0xFF;
  uint8_t dac_write_index = 0, dac_read_index = 0, dac_component = 0;
  bool dac_reading = false;  // the last index written was the read index (0x3C7)
  uint8_t dac[256][3] = {};  // 6-bit red, green, blue
  uint8_t status1 = 0;       // input status 1's retrace bits, toggled by each read

  uint16_t start_address() const { return static_cast<uint16_t>(crtc[kCrtcStartHigh] << 8 | crtc[kCrtcStartLow]); }
  uint16_t cursor_location() const {
    return static_cast<uint16_t>(crtc[kCrtcCursorHigh] << 8 | crtc[kCrtcCursorLow]);
  }

private:
  bool crtc_port(uint64_t offset) const;  // 0x3B4/5 or 0x3D4/5, as misc bit 0 selects
  uint8_t read_status1();
  void write_crtc(uint8_t value);
  void write_dac(uint8_t value);
  uint8_t read_dac();
};

}  // namespace bt86
