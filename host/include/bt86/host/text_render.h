// A VGA text screen as a terminal shows it and as a screen dump holds it.
//
// AnsiRenderer turns each new frame into the ANSI escape sequences that
// change what the terminal shows into it, in the manner of QEMU's curses
// display: only the cells that changed are written (each positioned with
// CUP only where the last write did not leave the cursor), an attribute
// becomes SGR colours (the 16 VGA colours as ANSI's 8 plus bright; with
// blinking on, attribute bit 7 blinks nothing and the background stays
// dark; with it off, the background is bright), characters are code page
// 437 in UTF-8, and the terminal's cursor is put where the VGA's is, or
// hidden. A change of size or mode redraws everything.
#pragma once
#include <string>

#include "bt86/devices/vga_text.h"

namespace bt86 {

class AnsiRenderer {
public:
  // What to write to the terminal to show `screen`; empty when nothing
  // changed since the last frame.
  std::string render(const TextScreen& screen);
  // What leaves the terminal usable after the last frame: colours reset,
  // the cursor shown, on the line below the screen.
  std::string finish() const;

private:
  bool drawn_ = false;
  TextScreen shown_;
};

// The SGR sequence for a cell's attribute ("\x1b[0;FG;BGm").
std::string sgr_for_attribute(uint8_t attribute, bool blink);

// The screen as plain text, for --screendump: a line per row (UTF-8, code
// page 437), trailing blanks trimmed, each ending in '\n'; nothing in a
// graphics mode.
std::string screen_text(const TextScreen& screen);

}  // namespace bt86
