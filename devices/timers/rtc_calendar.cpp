#include "bt86/devices/rtc_calendar.h"

namespace bt86 {

namespace {

constexpr int64_t kDay = 86400;

bool leap(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }
int64_t year_days(int64_t year) { return leap(year) ? 366 : 365; }

int month_days(int64_t year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to the first day of year. Guests live within a few
// centuries of 1970, so walking year by year is cheap and obviously right.
int64_t days_before_year(int64_t year) {
  int64_t days = 0;
  for (int64_t y = 1970; y < year; ++y) days += year_days(y);
  for (int64_t y = year; y < 1970; ++y) days -= year_days(y);
  return days;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

int64_t Calendar::to_unix() const {
  int m = month >= 1 && month <= 12 ? month : 1;
  int64_t days = days_before_year(year);
  for (int i = 1; i < m; ++i) days += month_days(year, i);
  days += day - 1;
  return days * kDay + int64_t{hour} * 3600 + int64_t{minute} * 60 + second;
}

Calendar Calendar::from_unix(int64_t seconds) {
  Calendar c;
  int64_t days = floor_div(seconds, kDay);
  int64_t rest = seconds - days * kDay;
  c.hour = static_cast<int>(rest / 3600);
  c.minute = static_cast<int>(rest / 60 % 60);
  c.second = static_cast<int>(rest % 60);
  // 1970-01-01 was a Thursday (weekday 5 when Sunday is 1).
  c.weekday = static_cast<int>((days % 7 + 7 + 4) % 7) + 1;
  int64_t year = 1970;
  while (days < 0) days += year_days(--year);
  while (days >= year_days(year)) days -= year_days(year++);
  int month = 1;
  while (days >= month_days(year, month)) days -= month_days(year, month++);
  c.year = static_cast<int>(year);
  c.month = month;
  c.day = static_cast<int>(days) + 1;
  return c;
}

uint8_t RtcFormat::encode(int value) const {
  if (binary) return static_cast<uint8_t>(value);
  return static_cast<uint8_t>((value / 10 % 10) << 4 | value % 10);
}

int RtcFormat::decode(uint8_t byte) const { return binary ? byte : (byte >> 4) * 10 + (byte & 15); }

uint8_t RtcFormat::encode_hour(int hour) const {
  if (hours24) return encode(hour);
  int h12 = hour % 12 == 0 ? 12 : hour % 12;
  return static_cast<uint8_t>(encode(h12) | (hour >= 12 ? 0x80 : 0));
}

int RtcFormat::decode_hour(uint8_t byte) const {
  if (hours24) return decode(byte);
  int h12 = decode(byte & 0x7F);
  return h12 % 12 + (byte & 0x80 ? 12 : 0);
}

}  // namespace bt86
