// The keys of a US PC keyboard and their scancodes in sets 1 (XT) and 2
// (AT, what a PS/2 keyboard sends by default), and the i8042's translation
// of set 2 into set 1, which the controller applies when its command byte
// says so (a BIOS turns it on: int 9 handlers expect set 1).
#pragma once
#include <cstdint>
#include <vector>

namespace bt86 {

enum class Key : uint8_t {
  kNone,
  kEscape, k1, k2, k3, k4, k5, k6, k7, k8, k9, k0, kMinus, kEqual, kBackspace,
  kTab, kQ, kW, kE, kR, kT, kY, kU, kI, kO, kP, kLeftBracket, kRightBracket, kEnter,
  kLeftCtrl, kA, kS, kD, kF, kG, kH, kJ, kK, kL, kSemicolon, kApostrophe, kGrave,
  kLeftShift, kBackslash, kZ, kX, kC, kV, kB, kN, kM, kComma, kPeriod, kSlash, kRightShift,
  kLeftAlt, kSpace, kCapsLock,
  kF1, kF2, kF3, kF4, kF5, kF6, kF7, kF8, kF9, kF10, kF11, kF12,
  kInsert, kDelete, kHome, kEnd, kPageUp, kPageDown, kUp, kDown, kLeft, kRight,
  kCount,
};

// The bytes a key sends in scancode set 1 or 2 when pressed (make) or
// released (break): set 1 breaks with bit 7, set 2 with an 0xF0 prefix;
// the cursor-block keys are prefixed with 0xE0 in both.
void append_scancode(Key key, bool pressed, unsigned set, std::vector<uint8_t>& out);

// The i8042's translation of one set-2 byte, with the controller's state:
// an 0xF0 (break prefix) is swallowed and sets bit 7 of the next byte.
class Set2Translator {
public:
  // False when the byte produces nothing (the break prefix).
  bool translate(uint8_t& byte);

private:
  bool breaking_ = false;
};

}  // namespace bt86
