#include "bt86/devices/vga_registers.h"

#include <algorithm>
#include <iterator>

namespace bt86 {

namespace {
// Port offsets from 0x3B0.
enum : uint64_t {
  kMonoCrtcIndex = 0x04, kMonoCrtcData = 0x05, kMonoStatus1 = 0x0A,
  kAttrWrite = 0x10, kAttrRead = 0x11, kMiscWriteStatus0 = 0x12, kSeqIndex = 0x14, kSeqData = 0x15,
  kDacMask = 0x16, kDacReadIndexState = 0x17, kDacWriteIndex = 0x18, kDacData = 0x19,
  kFeatureRead = 0x1A, kMiscRead = 0x1C, kGcIndex = 0x1E, kGcData = 0x1F,
  kColorCrtcIndex = 0x24, kColorCrtcData = 0x25, kColorStatus1 = 0x2A,
};

constexpr unsigned kAttrRegisters = 0x15;
constexpr uint8_t kStatus1DisplayDisabled = 0x01, kStatus1VRetrace = 0x08;
constexpr uint8_t kCrtcProtect = 0x80;  // CR11 bit 7: CR00-CR07 read-only (but CR07 bit 4)

// Mode 3 as a VGA BIOS programs it (IBM's VGA technical reference tables):
// 80x25 text, 9x16 characters, 400 lines, odd/even addressing at 0xB8000.
constexpr uint8_t kMode3Misc = 0x67;
constexpr uint8_t kMode3Seq[] = {0x03, 0x00, 0x03, 0x00, 0x02};
constexpr uint8_t kMode3Crtc[] = {0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00,
                                  0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF};
constexpr uint8_t kMode3Gc[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF};
constexpr uint8_t kMode3Attr[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A,
                                  0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x0C, 0x00, 0x0F, 0x08, 0x00};
static_assert(std::size(kMode3Attr) == kAttrRegisters);
}  // namespace

VgaRegisters::VgaRegisters() : misc(kMode3Misc) {
  std::copy(std::begin(kMode3Seq), std::end(kMode3Seq), seq);
  std::copy(std::begin(kMode3Crtc), std::end(kMode3Crtc), crtc);
  std::copy(std::begin(kMode3Gc), std::end(kMode3Gc), gc);
  std::copy(std::begin(kMode3Attr), std::end(kMode3Attr), attr);
  attr_index = 0x20;  // palette address source set: the screen is on
}

bool VgaRegisters::crtc_port(uint64_t offset) const {
  const bool color = misc & kMiscColor;
  return color ? offset == kColorCrtcIndex || offset == kColorCrtcData
               : offset == kMonoCrtcIndex || offset == kMonoCrtcData;
}

uint8_t VgaRegisters::read_status1() {
  // No raster runs here: each read flips between "displaying" and "in
  // vertical retrace", so a guest waiting for either sees it at once.
  // Reading it also resets the attribute controller's flip-flop.
  attr_expects_data = false;
  status1 ^= kStatus1DisplayDisabled | kStatus1VRetrace;
  return status1;
}

uint8_t VgaRegisters::read(uint64_t offset) {
  const bool color = misc & kMiscColor;
  if (crtc_port(offset)) {
    if (offset & 1) return crtc[crtc_index];
    return crtc_index;
  }
  switch (offset) {
    case kMonoStatus1: return color ? 0xFF : read_status1();
    case kColorStatus1: return color ? read_status1() : 0xFF;
    case kAttrWrite: return attr_index;
    case kAttrRead: return (attr_index & 0x1F) < kAttrRegisters ? attr[attr_index & 0x1F] : 0;
    case kMiscWriteStatus0: return 0;  // input status 0: no interrupt pending, switch sense 0
    case kSeqIndex: return seq_index;
    case kSeqData: return seq[seq_index];
    case kDacMask: return dac_mask;
    case kDacReadIndexState: return dac_reading ? 0x03 : 0x00;
    case kDacWriteIndex: return dac_write_index;
    case kDacData: return read_dac();
    case kFeatureRead: return feature;
    case kMiscRead: return misc;
    case kGcIndex: return gc_index;
    case kGcData: return gc[gc_index];
    default: return 0xFF;  // not a register of this card: the floating bus
  }
}

bool VgaRegisters::write(uint64_t offset, uint8_t value) {
  const bool color = misc & kMiscColor;
  if (crtc_port(offset)) {
    if (offset & 1) write_crtc(value);
    else crtc_index = value & 0x3F;
    return false;
  }
  switch (offset) {
    case kMonoStatus1:
      if (!color) feature = value;
      return false;
    case kColorStatus1:
      if (color) feature = value;
      return false;
    case kAttrWrite:
      if (!attr_expects_data) attr_index = value & 0x3F;
      else if ((attr_index & 0x1F) < kAttrRegisters) attr[attr_index & 0x1F] = value;
      attr_expects_data = !attr_expects_data;
      return false;
    case kMiscWriteStatus0: misc = value; return true;
    case kSeqIndex: seq_index = value & 0x07; return false;
    case kSeqData: seq[seq_index] = value; return true;
    case kDacMask: dac_mask = value; return false;
    case kDacReadIndexState:
      dac_read_index = value;
      dac_component = 0;
      dac_reading = true;
      return false;
    case kDacWriteIndex:
      dac_write_index = value;
      dac_component = 0;
      dac_reading = false;
      return false;
    case kDacData: write_dac(value); return false;
    case kGcIndex: gc_index = value & 0x0F; return false;
    case kGcData: gc[gc_index] = value; return true;
    default: return false;
  }
}

void VgaRegisters::write_crtc(uint8_t value) {
  if ((crtc[kCrtcVRetraceEnd] & kCrtcProtect) && crtc_index <= kCrtcOverflow) {
    // Only the line compare's bit 8 (CR07 bit 4) stays writable.
    if (crtc_index == kCrtcOverflow) crtc[kCrtcOverflow] = (crtc[kCrtcOverflow] & ~0x10) | (value & 0x10);
    return;
  }
  crtc[crtc_index] = value;
}

// The DAC takes and gives three 6-bit components per entry, red first;
// after the third the index moves to the next entry.
void VgaRegisters::write_dac(uint8_t value) {
  dac[dac_write_index][dac_component] = value & 0x3F;
  if (++dac_component == 3) {
    dac_component = 0;
    ++dac_write_index;
  }
}

uint8_t VgaRegisters::read_dac() {
  const uint8_t v = dac[dac_read_index][dac_component];
  if (++dac_component == 3) {
    dac_component = 0;
    ++dac_read_index;
  }
  return v;
}

}  // namespace bt86
