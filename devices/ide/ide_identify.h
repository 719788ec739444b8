// Building IDENTIFY (PACKET) DEVICE pages: ATA strings and the integrity word.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace bt86::ata {

using IdentifyPage = std::array<uint16_t, 256>;

// ATA strings: space-padded ASCII, the first character of each pair in a
// word's high byte.
inline void put_string(IdentifyPage& page, unsigned word, unsigned words, std::string_view s) {
  for (unsigned i = 0; i < 2 * words; ++i) {
    const auto c = static_cast<uint16_t>(i < s.size() ? static_cast<uint8_t>(s[i]) : ' ');
    page[word + i / 2] |= static_cast<uint16_t>(i % 2 ? c : c << 8);
  }
}

// Word 255: signature A5h and a checksum that makes all 512 bytes sum to 0.
inline void seal(IdentifyPage& page) {
  page[255] = 0x00A5;
  unsigned sum = 0;
  for (uint16_t w : page) sum += (w & 0xFF) + (w >> 8);
  page[255] = static_cast<uint16_t>(page[255] | ((0x100 - (sum & 0xFF)) & 0xFF) << 8);
}

}  // namespace bt86::ata
