#include "bt86/devices/vga_memory.h"

#include <stdexcept>

namespace bt86 {

namespace {
using R = VgaRegisters;
constexpr uint8_t kSeqChain4 = 0x08, kSeqNoOddEven = 0x04;
constexpr uint8_t kGcOddEvenRead = 0x10, kGcReadMode1 = 0x08, kGcWriteModeMask = 0x03;

uint8_t rotate_right(uint8_t v, unsigned n) {
  n &= 7;
  return static_cast<uint8_t>((v >> n) | (v << ((8 - n) & 7)));
}
uint8_t expand(unsigned bit) { return bit & 1 ? 0xFF : 0x00; }
}  // namespace

VgaMemory::VgaMemory(std::span<uint8_t> planes01) : planes01_(planes01), planes23_(kWindowSize) {
  if (planes01.size() != kWindowSize) throw std::invalid_argument("VGA planes 0 and 1 need 128 KiB");
}

uint8_t& VgaMemory::plane(unsigned p, uint32_t o) {
  const uint32_t index = (o & (kPlaneSize - 1)) * 2 + (p & 1);
  if (p & 2) return planes23_[index];
  return planes01_[(index + kTextWindowOffset) & (kWindowSize - 1)];
}

VgaMemory::Target VgaMemory::decode(const VgaRegisters& r, uint32_t window_offset) {
  // GR6 bits 3-2: A0000-BFFFF, A0000-AFFFF, B0000-B7FFF, B8000-BFFFF.
  static constexpr uint32_t kMapBase[] = {0, 0, 0x10000, 0x18000}, kMapSize[] = {0x20000, 0x10000, 0x8000, 0x8000};
  const unsigned map = (r.gc[R::kGcMisc] >> 2) & 3;
  Target t;
  if (!(r.misc & R::kMiscRamEnable) || window_offset < kMapBase[map] || window_offset - kMapBase[map] >= kMapSize[map])
    return t;
  const uint32_t a = window_offset - kMapBase[map];
  const uint8_t map_mask = r.seq[R::kSeqMapMask] & 0x0F;
  t.hit = true;
  if (r.seq[R::kSeqMemoryMode] & kSeqChain4) {
    t.write_offset = t.read_offset = a >> 2;
    t.write_planes = map_mask & (1u << (a & 3));
    t.read_plane = a & 3;
    return t;
  }
  // Odd/even: address bit 0 picks the even or odd planes, the rest of the
  // address the byte within them. Writes follow the sequencer, reads the
  // graphics controller (whose read map bit 1 picks the pair).
  const uint32_t planar = a & (kPlaneSize - 1);
  const bool odd_even_write = !(r.seq[R::kSeqMemoryMode] & kSeqNoOddEven);
  t.write_offset = odd_even_write ? a >> 1 : planar;
  t.write_planes = odd_even_write ? map_mask & (a & 1 ? 0x0A : 0x05) : map_mask;
  const bool odd_even_read = r.gc[R::kGcMode] & kGcOddEvenRead;
  t.read_offset = odd_even_read ? a >> 1 : planar;
  t.read_plane = odd_even_read ? (r.gc[R::kGcReadMap] & 2) | (a & 1) : r.gc[R::kGcReadMap] & 3;
  return t;
}

void VgaMemory::load_latches(uint32_t offset) {
  for (unsigned p = 0; p < 4; ++p) latch_[p] = plane(p, offset);
}

uint8_t VgaMemory::read(const VgaRegisters& r, uint32_t offset) {
  const Target t = decode(r, offset);
  if (!t.hit) return 0xFF;
  load_latches(t.read_offset);
  if (!(r.gc[R::kGcMode] & kGcReadMode1)) return latch_[t.read_plane];
  // Read mode 1, colour compare: a bit is 1 where every plane the "colour
  // don't care" register names matches the colour compare register.
  uint8_t differ = 0;
  for (unsigned p = 0; p < 4; ++p)
    if (r.gc[R::kGcColorDontCare] >> p & 1) differ |= latch_[p] ^ expand(r.gc[R::kGcColorCompare] >> p);
  return static_cast<uint8_t>(~differ);
}

void VgaMemory::write(const VgaRegisters& r, uint32_t offset, uint8_t value) {
  const Target t = decode(r, offset);
  if (!t.hit || !t.write_planes) return;
  const uint8_t rotated = rotate_right(value, r.gc[R::kGcRotate]);
  const unsigned function = (r.gc[R::kGcRotate] >> 3) & 3;  // replace, AND, OR, XOR with the latch
  const uint8_t set_reset = r.gc[R::kGcSetReset], enable = r.gc[R::kGcEnableSetReset];
  for (unsigned p = 0; p < 4; ++p) {
    if (!(t.write_planes >> p & 1)) continue;
    uint8_t data, mask = r.gc[R::kGcBitMask];
    switch (r.gc[R::kGcMode] & kGcWriteModeMask) {
      case 0: data = enable >> p & 1 ? expand(set_reset >> p) : rotated; break;
      case 1: plane(p, t.write_offset) = latch_[p]; continue;  // the latches, as they are
      case 2: data = expand(value >> p); break;
      default:  // 3: the rotated byte ANDed with the bit mask masks set/reset's colour
        data = expand(set_reset >> p);
        mask &= rotated;
        break;
    }
    switch (function) {
      case 1: data &= latch_[p]; break;
      case 2: data |= latch_[p]; break;
      case 3: data ^= latch_[p]; break;
      default: break;
    }
    plane(p, t.write_offset) = static_cast<uint8_t>((data & mask) | (latch_[p] & ~mask));
  }
}

bool VgaMemory::direct_text(const VgaRegisters& r) {
  return (r.misc & R::kMiscRamEnable) && ((r.gc[R::kGcMisc] >> 2) & 3) == 3 &&
         (r.seq[R::kSeqMemoryMode] & (kSeqChain4 | kSeqNoOddEven)) == 0 && (r.seq[R::kSeqMapMask] & 0x0F) == 0x03 &&
         (r.gc[R::kGcMode] & (kGcOddEvenRead | kGcReadMode1 | kGcWriteModeMask)) == kGcOddEvenRead &&
         (r.gc[R::kGcReadMap] & 2) == 0 && (r.gc[R::kGcEnableSetReset] & 0x03) == 0 && r.gc[R::kGcRotate] == 0 &&
         r.gc[R::kGcBitMask] == 0xFF;
}

}  // namespace bt86
