// The VGA's 256 KiB of display memory, four 64 KiB planes, as the CPU
// reaches it through the window at 0xA0000-0xBFFFF: the graphics
// controller's memory map (GR6) picks the part of the window decoded;
// chain-4, odd/even (text modes: even addresses to planes 0 and 2, odd to
// 1 and 3) or plain planar addressing picks the planes; the four write
// modes with the map mask, set/reset, rotation, logical function and bit
// mask, and the two read modes with the latches, make the bytes.
//
// Planes 0 and 1 (characters and attributes in text modes) live in memory
// the owner gives, interleaved byte by byte (plane p's byte at offset o is
// at 2 * o + p, rotated by kTextWindowOffset), so that in the standard text
// configuration the CPU's view of 0xB8000-0xBFFFF is exactly those bytes in
// that order: the machine backs them with the guest RAM under the window,
// and the CPU then writes text as plain memory (direct_text()).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "bt86/devices/vga_registers.h"

namespace bt86 {

class VgaMemory {
public:
  static constexpr uint64_t kWindowBase = 0xA0000, kWindowSize = 0x20000;
  static constexpr uint32_t kPlaneSize = 0x10000;
  // The colour text window, 0xB8000-0xBFFFF, as an offset into the window.
  static constexpr uint32_t kTextWindowOffset = 0x18000, kTextWindowSize = 0x8000;

  // planes01: kWindowSize bytes for planes 0 and 1; must outlive this.
  explicit VgaMemory(std::span<uint8_t> planes01);

  // A CPU access at offset (from kWindowBase) under the registers' settings.
  uint8_t read(const VgaRegisters& r, uint32_t offset);
  void write(const VgaRegisters& r, uint32_t offset, uint8_t value);

  // Plane p's byte at offset o (o < kPlaneSize).
  uint8_t& plane(unsigned p, uint32_t o);
  uint8_t plane(unsigned p, uint32_t o) const { return const_cast<VgaMemory*>(this)->plane(p, o); }

  // Whether the registers make every CPU access to the text window a plain
  // read or write of planes01[kTextWindowOffset + x]: the memory map is
  // 0xB8000, odd/even addressing both ways, write mode 0 with nothing that
  // changes the byte (no set/reset, rotation, function or bit mask), the
  // map mask on planes 0 and 1 only, read mode 0 from planes 0/1. (Reads
  // made directly then do not load the latches; only write modes 1-3 and
  // the logical functions use them, and those are not in effect.)
  static bool direct_text(const VgaRegisters& r);

private:
  struct Target {
    bool hit = false;
    uint32_t write_offset = 0, read_offset = 0;  // in the planes
    uint8_t write_planes = 0;                    // the planes a write reaches
    unsigned read_plane = 0;                     // the plane read mode 0 returns
  };
  static Target decode(const VgaRegisters& r, uint32_t window_offset);
  void load_latches(uint32_t offset);

  std::span<uint8_t> planes01_;
  std::vector<uint8_t> planes23_;
  uint8_t latch_[4] = {};
};

}  // namespace bt86
