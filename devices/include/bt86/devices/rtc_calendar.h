// The MC146818's calendar, and the register formats it shows it in (BCD or
// binary, 12- or 24-hour). Plain arithmetic; no device state.
#pragma once
#include <cstdint>

namespace bt86 {

struct Calendar {
  int second = 0, minute = 0, hour = 0;  // hour 0-23
  int weekday = 1;                       // 1 = Sunday, as the chip counts
  int day = 1, month = 1, year = 2000;   // full year

  // Seconds since 1970-01-01 00:00 UTC. Out-of-range fields (a guest may
  // write any byte) carry over instead of failing.
  int64_t to_unix() const;
  static Calendar from_unix(int64_t seconds);
};

// The byte formats selected by register B.
struct RtcFormat {
  bool binary;    // B bit 2 (DM); BCD otherwise
  bool hours24;   // B bit 1; 12-hour with bit 7 = PM otherwise

  uint8_t encode(int value) const;  // 0-99
  int decode(uint8_t byte) const;
  uint8_t encode_hour(int hour) const;  // hour 0-23
  int decode_hour(uint8_t byte) const;
};

}  // namespace bt86
