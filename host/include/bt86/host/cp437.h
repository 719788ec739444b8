// Code page 437, the character set of the PC's text modes, as UTF-8: the
// ASCII printables as themselves, the rest (smileys, arrows, accented
// letters, box drawing, Greek, math) as the Unicode characters IBM's glyphs
// show. The NUL character shows as a space.
#pragma once
#include <cstdint>
#include <string_view>

namespace bt86 {

std::string_view cp437_utf8(uint8_t c);

}  // namespace bt86
