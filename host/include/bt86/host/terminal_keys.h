// What the bytes a terminal sends stand for as keys of a PC keyboard: the
// characters of a US layout (with Shift where the character needs it),
// control characters as Ctrl plus a letter, Enter, Tab, Backspace, Esc,
// and the ANSI/xterm escape sequences of the cursor block and function
// keys (with their Shift/Alt/Ctrl modifier parameter); ESC before another
// key is Alt with it. Decoded one terminal read at a time: a terminal
// sends each key's sequence in one write, so an ESC that ends a read is
// the Esc key.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "bt86/devices/i8042.h"
#include "bt86/devices/ps2_scancodes.h"

namespace bt86 {

struct KeyStroke {
  Key key = Key::kNone;
  bool shift = false, ctrl = false, alt = false;
  bool operator==(const KeyStroke&) const = default;
};

// Appends the key strokes of bytes (one read from the terminal).
void decode_terminal_keys(std::span<const uint8_t> bytes, std::vector<KeyStroke>& out);

// Presses and releases a stroke's modifiers and key on the keyboard.
void type_key(I8042& kbc, const KeyStroke& stroke);

}  // namespace bt86
