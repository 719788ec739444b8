#include "bt86/devices/ps2_scancodes.h"

#include <array>
#include <cstddef>

namespace bt86 {

namespace {
struct Codes {
  uint8_t set1, set2;
  bool extended;  // 0xE0-prefixed in both sets
};

// In Key's order (IBM's scancode tables for the 101/102-key keyboard).
constexpr Codes kCodes[] = {
    {0x00, 0x00, false},                                                     // kNone
    {0x01, 0x76, false},                                                     // Escape
    {0x02, 0x16, false}, {0x03, 0x1E, false}, {0x04, 0x26, false}, {0x05, 0x25, false},  // 1-4
    {0x06, 0x2E, false}, {0x07, 0x36, false}, {0x08, 0x3D, false}, {0x09, 0x3E, false},  // 5-8
    {0x0A, 0x46, false}, {0x0B, 0x45, false}, {0x0C, 0x4E, false}, {0x0D, 0x55, false},  // 9 0 - =
    {0x0E, 0x66, false},                                                                 // Backspace
    {0x0F, 0x0D, false}, {0x10, 0x15, false}, {0x11, 0x1D, false}, {0x12, 0x24, false},  // Tab Q W E
    {0x13, 0x2D, false}, {0x14, 0x2C, false}, {0x15, 0x35, false}, {0x16, 0x3C, false},  // R T Y U
    {0x17, 0x43, false}, {0x18, 0x44, false}, {0x19, 0x4D, false}, {0x1A, 0x54, false},  // I O P [
    {0x1B, 0x5B, false}, {0x1C, 0x5A, false},                                            // ] Enter
    {0x1D, 0x14, false}, {0x1E, 0x1C, false}, {0x1F, 0x1B, false}, {0x20, 0x23, false},  // LCtrl A S D
    {0x21, 0x2B, false}, {0x22, 0x34, false}, {0x23, 0x33, false}, {0x24, 0x3B, false},  // F G H J
    {0x25, 0x42, false}, {0x26, 0x4B, false}, {0x27, 0x4C, false}, {0x28, 0x52, false},  // K L ; '
    {0x29, 0x0E, false},                                                                 // `
    {0x2A, 0x12, false}, {0x2B, 0x5D, false}, {0x2C, 0x1A, false}, {0x2D, 0x22, false},  // LShift \ Z X
    {0x2E, 0x21, false}, {0x2F, 0x2A, false}, {0x30, 0x32, false}, {0x31, 0x31, false},  // C V B N
    {0x32, 0x3A, false}, {0x33, 0x41, false}, {0x34, 0x49, false}, {0x35, 0x4A, false},  // M , . /
    {0x36, 0x59, false},                                                                 // RShift
    {0x38, 0x11, false}, {0x39, 0x29, false}, {0x3A, 0x58, false},                       // LAlt Space Caps
    {0x3B, 0x05, false}, {0x3C, 0x06, false}, {0x3D, 0x04, false}, {0x3E, 0x0C, false},  // F1-F4
    {0x3F, 0x03, false}, {0x40, 0x0B, false}, {0x41, 0x83, false}, {0x42, 0x0A, false},  // F5-F8
    {0x43, 0x01, false}, {0x44, 0x09, false}, {0x57, 0x78, false}, {0x58, 0x07, false},  // F9-F12
    {0x52, 0x70, true},  {0x53, 0x71, true},  {0x47, 0x6C, true},  {0x4F, 0x69, true},   // Ins Del Home End
    {0x49, 0x7D, true},  {0x51, 0x7A, true},  {0x48, 0x75, true},  {0x50, 0x72, true},   // PgUp PgDn Up Down
    {0x4B, 0x6B, true},  {0x4D, 0x74, true},                                             // Left Right
};
static_assert(std::size(kCodes) == static_cast<std::size_t>(Key::kCount));

// Set 2 to set 1 for the bytes keys send, built from the table above; a
// byte no key sends (the keyboard's own answers: ACK, BAT, echo...) passes
// unchanged, as through the i8042.
constexpr std::array<uint8_t, 256> make_translation() {
  std::array<uint8_t, 256> t{};
  for (unsigned b = 0; b < 256; ++b) t[b] = static_cast<uint8_t>(b);
  for (std::size_t k = 1; k < std::size(kCodes); ++k) t[kCodes[k].set2] = kCodes[k].set1;
  return t;
}
constexpr std::array<uint8_t, 256> kSet2ToSet1 = make_translation();
}  // namespace

void append_scancode(Key key, bool pressed, unsigned set, std::vector<uint8_t>& out) {
  if (key == Key::kNone || key >= Key::kCount) return;
  const Codes& c = kCodes[static_cast<std::size_t>(key)];
  if (c.extended) out.push_back(0xE0);
  if (set == 1) {
    out.push_back(static_cast<uint8_t>(pressed ? c.set1 : c.set1 | 0x80));
    return;
  }
  if (!pressed) out.push_back(0xF0);
  out.push_back(c.set2);
}

bool Set2Translator::translate(uint8_t& byte) {
  if (byte == 0xF0) {
    breaking_ = true;
    return false;
  }
  // 0xE0 and the keyboard's answers (0x80 and up) keep their value; a
  // break still applies to the byte after an 0xE0.
  if (byte == 0xE0 || (byte >= 0x80 && kSet2ToSet1[byte] == byte)) return true;
  byte = static_cast<uint8_t>(kSet2ToSet1[byte] | (breaking_ ? 0x80 : 0));
  breaking_ = false;
  return true;
}

}  // namespace bt86
