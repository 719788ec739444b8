// What a VGA in a text mode shows: the character and attribute cells the
// CRT controller scans out of planes 0 and 1 (from its start address, a
// row every 2 * offset-register characters), how many (the horizontal
// display end gives the columns, the vertical display end over the
// character height the rows: 80x25, 80x50, 40x25 ...) and the cursor.
// The font (plane 2) is not drawn: a terminal has its own.
#pragma once
#include <cstdint>
#include <vector>

#include "bt86/devices/vga_memory.h"
#include "bt86/devices/vga_registers.h"

namespace bt86 {

struct TextScreen {
  bool graphics = false;  // the graphics controller is in a graphics mode: no cells
  unsigned cols = 0, rows = 0;
  std::vector<uint16_t> cells;  // row by row: character | attribute << 8
  bool cursor_visible = false;
  unsigned cursor_row = 0, cursor_col = 0;
  // Attribute bit 7 blinks the character (attribute controller mode bit 3)
  // rather than brightening its background.
  bool blink = true;

  uint8_t character(unsigned row, unsigned col) const { return cells[row * cols + col] & 0xFF; }
  uint8_t attribute(unsigned row, unsigned col) const { return cells[row * cols + col] >> 8; }
  bool operator==(const TextScreen&) const = default;
};

TextScreen read_text_screen(const VgaRegisters& r, const VgaMemory& memory);

}  // namespace bt86
