#include "bt86/host/terminal_keys.h"

#include <string_view>

namespace bt86 {

namespace {
// The US layout's character keys, each string in the order of kCharKeys:
// the characters without and with Shift.
constexpr std::string_view kPlain = "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./ ";
constexpr std::string_view kShifted = "~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:\"ZXCVBNM<>? ";
constexpr Key kCharKeys[] = {
    Key::kGrave, Key::k1, Key::k2, Key::k3, Key::k4, Key::k5, Key::k6, Key::k7, Key::k8, Key::k9, Key::k0,
    Key::kMinus, Key::kEqual, Key::kQ, Key::kW, Key::kE, Key::kR, Key::kT, Key::kY, Key::kU, Key::kI,
    Key::kO, Key::kP, Key::kLeftBracket, Key::kRightBracket, Key::kBackslash, Key::kA, Key::kS, Key::kD,
    Key::kF, Key::kG, Key::kH, Key::kJ, Key::kK, Key::kL, Key::kSemicolon, Key::kApostrophe, Key::kZ,
    Key::kX, Key::kC, Key::kV, Key::kB, Key::kN, Key::kM, Key::kComma, Key::kPeriod, Key::kSlash, Key::kSpace,
};
static_assert(std::size(kCharKeys) == kPlain.size() && kPlain.size() == kShifted.size());

constexpr uint8_t kEsc = 0x1B;

// One byte that is not an escape sequence.
KeyStroke byte_key(uint8_t b) {
  switch (b) {
    case '\r':
    case '\n': return {Key::kEnter};  // a pipe's lines end in \n
    case '\t': return {Key::kTab};
    case 0x08:
    case 0x7F: return {Key::kBackspace};
    case kEsc: return {Key::kEscape};
    case 0x00: return {Key::kSpace, false, true};                   // Ctrl-Space (Ctrl-@)
    case 0x1C: return {Key::kBackslash, false, true};               // Ctrl-backslash
    case 0x1D: return {Key::kRightBracket, false, true};            // Ctrl-]
    case 0x1E: return {Key::k6, true, true};                        // Ctrl-^
    case 0x1F: return {Key::kMinus, true, true};                    // Ctrl-_
    default: break;
  }
  if (b >= 0x01 && b <= 0x1A) return {kCharKeys[kPlain.find(static_cast<char>('a' + b - 1))], false, true};
  if (size_t i = kPlain.find(static_cast<char>(b)); i != std::string_view::npos) return {kCharKeys[i]};
  if (size_t i = kShifted.find(static_cast<char>(b)); i != std::string_view::npos) return {kCharKeys[i], true};
  return {};  // not a key of this layout (8-bit characters): dropped
}

// The key of "CSI n ~" (VT220 style).
Key tilde_key(unsigned n) {
  switch (n) {
    case 1: case 7: return Key::kHome;
    case 2: return Key::kInsert;
    case 3: return Key::kDelete;
    case 4: case 8: return Key::kEnd;
    case 5: return Key::kPageUp;
    case 6: return Key::kPageDown;
    case 11: case 12: case 13: case 14: case 15:
      return static_cast<Key>(static_cast<unsigned>(Key::kF1) + n - 11);
    case 17: case 18: case 19: case 20: case 21:
      return static_cast<Key>(static_cast<unsigned>(Key::kF6) + n - 17);
    case 23: return Key::kF11;
    case 24: return Key::kF12;
    default: return Key::kNone;
  }
}

// The key of a final byte after CSI or SS3 (arrows, Home/End, F1-F4).
Key final_key(uint8_t f) {
  switch (f) {
    case 'A': return Key::kUp;
    case 'B': return Key::kDown;
    case 'C': return Key::kRight;
    case 'D': return Key::kLeft;
    case 'H': return Key::kHome;
    case 'F': return Key::kEnd;
    case 'P': return Key::kF1;
    case 'Q': return Key::kF2;
    case 'R': return Key::kF3;
    case 'S': return Key::kF4;
    default: return Key::kNone;
  }
}

// xterm's modifier parameter: 1 + (Shift 1 | Alt 2 | Ctrl 4).
void apply_modifiers(KeyStroke& k, unsigned param) {
  if (param < 2) return;
  const unsigned bits = param - 1;
  k.shift = bits & 1;
  k.alt = bits & 2;
  k.ctrl = bits & 4;
}
}  // namespace

void decode_terminal_keys(std::span<const uint8_t> bytes, std::vector<KeyStroke>& out) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const uint8_t b = bytes[i];
    if (b != kEsc || i + 1 == bytes.size()) {
      if (KeyStroke k = byte_key(b); k.key != Key::kNone) out.push_back(k);
      continue;
    }
    const uint8_t next = bytes[++i];
    if (next != '[' && next != 'O') {  // ESC x: Alt-x
      KeyStroke k = byte_key(next);
      k.alt = true;
      if (k.key != Key::kNone) out.push_back(k);
      continue;
    }
    // CSI (ESC [) or SS3 (ESC O): numeric parameters, then a final byte.
    unsigned params[2] = {0, 0}, count = 0;
    size_t j = i + 1;
    for (; j < bytes.size() && ((bytes[j] >= '0' && bytes[j] <= '9') || bytes[j] == ';'); ++j) {
      if (bytes[j] == ';') ++count;
      else if (count < 2) params[count] = params[count] * 10 + (bytes[j] - '0');
    }
    if (j == bytes.size()) {  // cut off: Esc, then what came after it as typed keys
      out.push_back({Key::kEscape});
      --i;
      continue;
    }
    i = j;
    KeyStroke k{bytes[j] == '~' ? tilde_key(params[0]) : final_key(bytes[j])};
    apply_modifiers(k, params[1]);
    if (k.key != Key::kNone) out.push_back(k);  // a sequence for no key of ours is dropped whole
  }
}

void type_key(I8042& kbc, const KeyStroke& stroke) {
  const Key modifiers[] = {stroke.ctrl ? Key::kLeftCtrl : Key::kNone, stroke.alt ? Key::kLeftAlt : Key::kNone,
                           stroke.shift ? Key::kLeftShift : Key::kNone};
  for (Key m : modifiers)
    if (m != Key::kNone) kbc.key(m, true);
  kbc.key(stroke.key, true);
  kbc.key(stroke.key, false);
  for (Key m : modifiers)
    if (m != Key::kNone) kbc.key(m, false);
}

}  // namespace bt86
