#include "bt86/devices/vga_text.h"

#include <algorithm>

namespace bt86 {

namespace {
using R = VgaRegisters;
// Larger than any VGA text mode; bounds what a guest's CRTC values can ask.
constexpr unsigned kMaxCols = 132, kMaxRows = 64;
constexpr uint8_t kGcGraphics = 0x01, kAttrBlink = 0x08, kCursorOff = 0x20, kDoubleScan = 0x80;
}  // namespace

TextScreen read_text_screen(const VgaRegisters& r, const VgaMemory& memory) {
  TextScreen s;
  if (r.gc[R::kGcMisc] & kGcGraphics) {
    s.graphics = true;
    return s;
  }
  const uint8_t overflow = r.crtc[R::kCrtcOverflow];
  unsigned lines = (r.crtc[R::kCrtcVDisplayEnd] | (overflow & 0x02) << 7 | (overflow & 0x40) << 3) + 1;
  if (r.crtc[R::kCrtcMaxScanLine] & kDoubleScan) lines /= 2;
  const unsigned char_height = (r.crtc[R::kCrtcMaxScanLine] & 0x1F) + 1;
  s.cols = std::min<unsigned>(r.crtc[R::kCrtcHDisplayEnd] + 1u, kMaxCols);
  s.rows = std::clamp(lines / char_height, 1u, kMaxRows);
  s.blink = r.attr[R::kAttrModeControl] & kAttrBlink;
  s.cells.resize(size_t{s.cols} * s.rows);
  const unsigned pitch = r.crtc[R::kCrtcOffset] * 2u;  // characters per row in memory
  const unsigned start = r.start_address();
  for (unsigned row = 0; row < s.rows; ++row)
    for (unsigned col = 0; col < s.cols; ++col) {
      const uint32_t at = (start + row * pitch + col) & (VgaMemory::kPlaneSize - 1);
      s.cells[row * s.cols + col] = static_cast<uint16_t>(memory.plane(0, at) | memory.plane(1, at) << 8);
    }
  // The cursor: on unless CR0A bit 5 turns it off or its first scan line
  // lies below its last or the character cell.
  const unsigned first = r.crtc[R::kCrtcCursorStart] & 0x1F, last = r.crtc[R::kCrtcCursorEnd] & 0x1F;
  const unsigned from_start = (r.cursor_location() - start) & (VgaMemory::kPlaneSize - 1);
  if (pitch && !(r.crtc[R::kCrtcCursorStart] & kCursorOff) && first <= last && first < char_height) {
    s.cursor_row = from_start / pitch;
    s.cursor_col = from_start % pitch;
    s.cursor_visible = s.cursor_row < s.rows && s.cursor_col < s.cols;
    if (!s.cursor_visible) s.cursor_row = s.cursor_col = 0;
  }
  return s;
}

}  // namespace bt86
