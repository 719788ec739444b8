#include "bt86/devices/rtc146818.h"

#include <algorithm>
#include <ctime>

namespace bt86 {

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr uint64_t kDividerHz = 32768;
// UIP rises 244 us before an update cycle and falls when the cycle (1984 us
// with a 32.768 kHz crystal) ends. The end of the cycle, when the new time
// becomes readable and UF is set, is placed on the second boundary.
constexpr int64_t kUipWindow = (244 + 1984) * 1000;

enum Reg : unsigned {
  kSeconds = 0x00, kSecondsAlarm = 0x01, kMinutes = 0x02, kMinutesAlarm = 0x03,
  kHours = 0x04, kHoursAlarm = 0x05, kWeekday = 0x06, kDay = 0x07, kMonth = 0x08,
  kYear = 0x09, kA = 0x0A, kB = 0x0B, kC = 0x0C, kD = 0x0D, kCentury = 0x32,
};
constexpr uint8_t kSet = 0x80, kPie = 0x40, kAie = 0x20, kUie = 0x10;
constexpr uint8_t kPf = 0x40, kAf = 0x20, kUf = 0x10, kIrqf = 0x80, kVrt = 0x80;

Rtc146818::WallTime host_wall_time() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return {ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec)};
}

int64_t floor_mod(int64_t a, int64_t b) { return ((a % b) + b) % b; }

}  // namespace

Rtc146818::Rtc146818(const Clock& clock, EventQueue& events, IrqLine irq8, uint64_t ram_bytes,
                     std::optional<WallTime> start)
    : ByteDevice(kPorts), clock_(clock), irq8_(irq8), timer_(events),
      cmos_(pc_cmos_image(ram_bytes)) {
  WallTime wall = start ? *start : host_wall_time();
  time_ = Calendar::from_unix(wall.unix_seconds);
  // The current second began wall.nanoseconds ago; the next update ends one
  // second after that.
  epoch_ = now() - static_cast<int64_t>(wall.nanoseconds);
  periodic_done_ = divider_ticks(now()) >> periodic_shift();
}

uint8_t Rtc146818::read8(uint64_t offset) {
  if (offset == 0) return 0xFF;  // the index register is write-only
  return read_register(index_);
}

void Rtc146818::write8(uint64_t offset, uint8_t value) {
  if (offset == 0) {
    index_ = value & 0x7F;
    nmi_enabled_ = !(value & 0x80);
    return;
  }
  write_register(index_, value);
}

uint64_t Rtc146818::divider_ticks(int64_t now) const {
  auto delta = static_cast<uint64_t>(std::max<int64_t>(now - epoch_, 0));
  return delta / kSecond * kDividerHz + delta % kSecond * kDividerHz / kSecond;
}

int64_t Rtc146818::time_of_divider_tick(uint64_t tick) const {
  uint64_t rest = tick % kDividerHz;
  return epoch_ + static_cast<int64_t>(tick / kDividerHz * kSecond +
                                       (rest * kSecond + kDividerHz - 1) / kDividerHz);
}

unsigned Rtc146818::periodic_shift() const {
  // Rates 1 and 2 repeat 8 and 9 (256 and 128 Hz); 3-15 halve from 8192 Hz.
  unsigned rs = a_ & 0x0F;
  return rs <= 2 ? rs + 6 : rs - 1;
}

bool Rtc146818::update_in_progress(int64_t now) const {
  return updates_enabled() && floor_mod(now - epoch_, kSecond) >= kSecond - kUipWindow;
}

bool Rtc146818::alarm_matches(int64_t unix_seconds) const {
  RtcFormat f = format();
  int64_t day_seconds = floor_mod(unix_seconds, 86400);
  auto hit = [](uint8_t alarm, uint8_t now) { return (alarm & 0xC0) == 0xC0 || alarm == now; };
  return hit(alarm_[0], f.encode(static_cast<int>(day_seconds % 60))) &&
         hit(alarm_[1], f.encode(static_cast<int>(day_seconds / 60 % 60))) &&
         hit(alarm_[2], f.encode_hour(static_cast<int>(day_seconds / 3600)));
}

void Rtc146818::catch_up(int64_t now) {
  if (!divider_running()) return;
  int64_t k = std::max<int64_t>((now - epoch_) / kSecond, 0);
  if (k > seconds_done_) {
    int64_t n = k - seconds_done_;
    seconds_done_ = k;
    if (!(b_ & kSet)) {  // SET inhibits the update transfers, not the divider
      int64_t before = time_.to_unix();
      time_ = Calendar::from_unix(before + n);
      flags_ |= kUf;
      // Any alarm that can match at all matches within a day.
      for (int64_t i = std::max<int64_t>(1, n - 86399); i <= n && !(flags_ & kAf); ++i)
        if (alarm_matches(before + i)) flags_ |= kAf;
    }
  }
  if (a_ & 0x0F) {
    uint64_t tick = divider_ticks(now) >> periodic_shift();
    if (tick > periodic_done_) {
      periodic_done_ = tick;
      flags_ |= kPf;  // set at the rate whether or not PIE is on
    }
  }
}

void Rtc146818::schedule() {
  std::optional<int64_t> when;
  if (divider_running()) {
    if ((b_ & kPie) && !(flags_ & kPf) && (a_ & 0x0F))
      when = time_of_divider_tick((periodic_done_ + 1) << periodic_shift());
    bool want_update = ((b_ & kUie) && !(flags_ & kUf)) || ((b_ & kAie) && !(flags_ & kAf));
    if (want_update && updates_enabled()) {
      int64_t next = epoch_ + (seconds_done_ + 1) * kSecond;
      when = when ? std::min(*when, next) : next;
    }
  }
  if (!when) {
    timer_.cancel();
    return;
  }
  timer_.arm(static_cast<uint64_t>(std::max<int64_t>(*when, 0)), [this] {
    int64_t t = this->now();
    catch_up(t);
    update_irq();
    schedule();
  });
}

uint8_t Rtc146818::peek(unsigned index) {
  index &= 0x7F;
  if (index == kC) {
    catch_up(now());
    return static_cast<uint8_t>(flags_ | (flags_ & b_ & 0x70 ? kIrqf : 0));
  }
  return read_register(index);
}

uint8_t Rtc146818::read_register(unsigned index) {
  int64_t t = now();
  RtcFormat f = format();
  switch (index) {
    case kSecondsAlarm: return alarm_[0];
    case kMinutesAlarm: return alarm_[1];
    case kHoursAlarm: return alarm_[2];
    case kA: return static_cast<uint8_t>(a_ | (update_in_progress(t) ? 0x80 : 0));
    case kB: return b_;
    case kC: return read_c(t);
    case kD: return kVrt;  // the battery is always good
    default: break;
  }
  if (index > kYear && index != kCentury) return cmos_[index];
  catch_up(t);
  update_irq();
  schedule();
  switch (index) {
    case kSeconds: return f.encode(time_.second);
    case kMinutes: return f.encode(time_.minute);
    case kHours: return f.encode_hour(time_.hour);
    case kWeekday: return f.encode(time_.weekday);
    case kDay: return f.encode(time_.day);
    case kMonth: return f.encode(time_.month);
    case kYear: return f.encode(time_.year % 100);
    default: return f.encode(time_.year / 100);  // the century byte follows the format too
  }
}

void Rtc146818::write_register(unsigned index, uint8_t value) {
  int64_t t = now();
  RtcFormat f = format();
  catch_up(t);  // what happened before this write happened with the old settings
  switch (index) {
    case kSeconds: time_.second = f.decode(value); break;
    case kMinutes: time_.minute = f.decode(value); break;
    case kHours: time_.hour = f.decode_hour(value); break;
    case kWeekday: time_.weekday = f.decode(value); break;
    case kDay: time_.day = f.decode(value); break;
    case kMonth: time_.month = f.decode(value); break;
    case kYear: time_.year = time_.year / 100 * 100 + f.decode(value); break;
    case kCentury: time_.year = f.decode(value) * 100 + time_.year % 100; break;
    case kSecondsAlarm: alarm_[0] = value; break;
    case kMinutesAlarm: alarm_[1] = value; break;
    case kHoursAlarm: alarm_[2] = value; break;
    case kA: write_a(value, t); break;
    case kB: write_b(value); break;
    case kC:
    case kD: break;  // read-only
    default: cmos_[index] = value; break;
  }
  update_irq();
  schedule();
}

void Rtc146818::write_a(uint8_t value, int64_t now) {
  bool was_running = divider_running();
  unsigned old_rate = a_ & 0x0F;
  a_ = value & 0x7F;  // UIP is read-only
  if (!divider_running()) return;
  if (!was_running) {
    // Out of reset (or a stopped oscillator): the first update comes half a second later.
    epoch_ = now - kSecond / 2;
    seconds_done_ = 0;
  }
  if (!was_running || (a_ & 0x0F) != old_rate) periodic_done_ = divider_ticks(now) >> periodic_shift();
}

void Rtc146818::write_b(uint8_t value) {
  if (value & kSet) value &= static_cast<uint8_t>(~kUie);  // SET going high clears UIE
  b_ = value;
}

uint8_t Rtc146818::read_c(int64_t now) {
  catch_up(now);
  auto value = static_cast<uint8_t>(flags_ | (flags_ & b_ & 0x70 ? kIrqf : 0));
  flags_ = 0;  // reading C clears every flag and IRQF, and releases IRQ8
  update_irq();
  schedule();
  return value;
}

}  // namespace bt86
