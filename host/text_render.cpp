#include "bt86/host/text_render.h"

#include <fmt/format.h>

#include "bt86/host/cp437.h"

namespace bt86 {

namespace {
// VGA colour numbers have blue in bit 0 and red in bit 2; ANSI's the reverse.
unsigned ansi_colour(unsigned vga) { return (vga & 1) << 2 | (vga & 2) | (vga & 4) >> 2; }

constexpr const char* kHideCursor = "\x1b[?25l";
constexpr const char* kShowCursor = "\x1b[?25h";
}  // namespace

std::string sgr_for_attribute(uint8_t attribute, bool blink) {
  const unsigned fg = attribute & 0x0F, bg = (attribute >> 4) & (blink ? 0x07 : 0x0F);
  return fmt::format("\x1b[0;{};{}m", (fg & 8 ? 90 : 30) + ansi_colour(fg & 7),
                     (bg & 8 ? 100 : 40) + ansi_colour(bg & 7));
}

std::string AnsiRenderer::render(const TextScreen& s) {
  const bool full = !drawn_ || s.graphics != shown_.graphics || s.cols != shown_.cols || s.rows != shown_.rows ||
                    s.blink != shown_.blink;
  if (!full && s == shown_) return {};
  std::string out = kHideCursor;
  if (full) out += "\x1b[0m\x1b[H\x1b[2J";
  if (s.graphics) {
    if (full) out += "bt86: the VGA is in a graphics mode, which --display terminal does not show\r\n";
  } else {
    // Where the terminal's cursor is (-1: unknown) and its colours (-1: unknown).
    int row = -1, col = -1, attribute = -1;
    for (unsigned r = 0; r < s.rows; ++r)
      for (unsigned c = 0; c < s.cols; ++c) {
        const size_t i = size_t{r} * s.cols + c;
        if (!full && s.cells[i] == shown_.cells[i]) continue;
        if (static_cast<int>(r) != row || static_cast<int>(c) != col) out += fmt::format("\x1b[{};{}H", r + 1, c + 1);
        if (s.attribute(r, c) != attribute) {
          attribute = s.attribute(r, c);
          out += sgr_for_attribute(static_cast<uint8_t>(attribute), s.blink);
        }
        out += cp437_utf8(s.character(r, c));
        row = static_cast<int>(r);
        col = c + 1 < s.cols ? static_cast<int>(c + 1) : -1;  // (at the margin: the terminal may wrap or not)
      }
    out += "\x1b[0m";
    if (s.cursor_visible) out += fmt::format("\x1b[{};{}H{}", s.cursor_row + 1, s.cursor_col + 1, kShowCursor);
  }
  drawn_ = true;
  shown_ = s;
  return out;
}

std::string AnsiRenderer::finish() const {
  return fmt::format("\x1b[0m\x1b[{};1H{}\r\n", shown_.rows + 1, kShowCursor);
}

std::string screen_text(const TextScreen& s) {
  std::string out;
  if (s.graphics) return out;
  for (unsigned r = 0; r < s.rows; ++r) {
    std::string line;
    size_t kept = 0;  // line's length up to its last non-blank character
    for (unsigned c = 0; c < s.cols; ++c) {
      const uint8_t ch = s.character(r, c);
      line += cp437_utf8(ch);
      if (ch != ' ' && ch != 0x00 && ch != 0xFF) kept = line.size();  // 0xFF: a no-break space
    }
    line.resize(kept);
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace bt86
