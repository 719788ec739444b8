#include "bt86/devices/pit_channel.h"

#include <algorithm>

namespace bt86 {

namespace {

uint16_t to_bcd(uint32_t v) {
  v %= 10000;
  return static_cast<uint16_t>((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

// Mode 3 reads: the element steps by two, and an odd count spends one extra
// clock in the high half (it loads N, then N-1, then steps by two; the low
// half loads N and steps by three first). q is the position in the period.
uint32_t square_wave_count(uint32_t n, uint32_t q) {
  uint32_t high = (n + 1) / 2;
  bool in_high = q < high;
  uint32_t k = in_high ? q : q - high;
  if (k == 0) return n;
  if (n % 2 == 0) return n - 2 * k;
  return in_high ? n + 1 - 2 * k : n - 1 - 2 * k;
}

}  // namespace

void PitChannel::control(unsigned rw, unsigned mode, bool bcd, uint64_t t) {
  idle_ce_ = count(t);
  rw_ = rw;
  programmed_mode_ = mode & 7;
  mode_ = programmed_mode_ > 5 ? programmed_mode_ - 4 : programmed_mode_;
  bcd_ = bcd;
  cr_msb_next_ = read_msb_next_ = false;
  latched_count_.reset();
  latched_status_.reset();
  have_count_ = armed_ = suspended_ = false;
  pending_n_.reset();
  null_until_ = UINT64_MAX;
}

uint32_t PitChannel::decode(uint16_t raw) const {
  if (!bcd_) return raw ? raw : 0x10000;
  uint32_t v = (raw >> 12) * 1000 + (raw >> 8 & 15) * 100 + (raw >> 4 & 15) * 10 + (raw & 15);
  return v ? v : 10000;
}

void PitChannel::load(uint32_t n, uint64_t at) {
  n_ = n;
  armed_ = true;
  load_tick_ = at;
  d_base_ = 0;
  off_ = 0;
  pending_n_.reset();
  suspended_ = !gate_ && !retriggered_mode();
}

void PitChannel::write(uint8_t value, uint64_t t) {
  settle(t);
  if (rw_ == 1) {
    cr_ = value;
  } else if (rw_ == 2) {
    cr_ = static_cast<uint16_t>(value << 8);
  } else if (!cr_msb_next_) {
    cr_ = static_cast<uint16_t>((cr_ & 0xFF00) | value);
    cr_msb_next_ = true;
    // Mode 0: the first byte of a two-byte count stops counting and drops OUT.
    if (mode_ == 0) {
      idle_ce_ = count(t);
      armed_ = false;
    }
    return;
  } else {
    cr_ = static_cast<uint16_t>((cr_ & 0x00FF) | value << 8);
    cr_msb_next_ = false;
  }
  have_count_ = true;
  uint32_t n = decode(cr_);
  switch (mode_) {
    case 1:
    case 5:  // waits for a gate trigger
      null_until_ = UINT64_MAX;
      return;
    case 2:
    case 3:
      if (armed_ && suspended_) {  // loaded when the gate rises
        null_until_ = UINT64_MAX;
        return;
      }
      if (armed_ && t >= load_tick_) {
        // Counting: the new count takes over at the end of the current
        // period (mode 2) or half-cycle (mode 3).
        pending_low_start_ = false;
        pending_at_ = reload_point(t);
        pending_n_ = n;
        null_until_ = pending_at_;
        return;
      }
      break;
    default:
      break;
  }
  idle_ce_ = count(t);
  load(n, t + 1);  // the count reaches the element on the next clock
  null_until_ = t + 1;
}

uint64_t PitChannel::reload_point(uint64_t t) {
  Phase p = phase(t);
  if (mode_ == 2) return t + (p.n - p.d % p.n);
  uint32_t q = static_cast<uint32_t>((p.d + p.off) % p.n);
  uint32_t high = (p.n + 1) / 2;
  if (q < high) {
    pending_low_start_ = true;  // the next half-cycle is the low one
    return t + (high - q);
  }
  return t + (p.n - q);
}

void PitChannel::settle(uint64_t t) {
  if (!pending_n_ || t < pending_at_) return;
  uint32_t n = *pending_n_;
  load(n, pending_at_);
  off_ = pending_low_start_ ? (n + 1) / 2 : 0;
}

PitChannel::Phase PitChannel::phase(uint64_t t) const {
  if (!armed_) return {false, 0, n_, off_};
  if (suspended_) return {true, d_base_, n_, off_};
  if (t < load_tick_) return {false, 0, n_, off_};
  if (pending_n_ && t >= pending_at_) {
    uint32_t n = *pending_n_;
    return {true, t - pending_at_, n, pending_low_start_ ? (n + 1) / 2 : 0};
  }
  return {true, d_base_ + (t - load_tick_), n_, off_};
}

void PitChannel::set_gate(bool level, uint64_t t) {
  settle(t);
  if (level == gate_) return;
  gate_ = level;
  switch (mode_) {
    case 0:
    case 4:  // the gate only pauses counting
      if (!armed_) return;
      if (!level) {
        Phase p = phase(t);
        d_base_ = p.counting ? p.d : 0;
        suspended_ = true;
      } else if (suspended_) {
        suspended_ = false;
        load_tick_ = std::max(t, load_tick_);
      }
      return;
    case 2:
    case 3:  // low: stop with OUT high; rising: start over from the count
      if (!level) {
        if (armed_) {
          Phase p = phase(t);
          idle_ce_ = count(t);
          d_base_ = p.counting ? p.d : 0;
          suspended_ = true;
        }
      } else if (have_count_) {
        load(decode(cr_), t + 1);
        null_until_ = std::min(null_until_, t + 1);
      }
      return;
    default:  // modes 1 and 5: a rising edge (re)triggers
      if (level && have_count_) {
        load(decode(cr_), t + 1);
        null_until_ = std::min(null_until_, t + 1);
      }
      return;
  }
}

bool PitChannel::out(uint64_t t) const {
  Phase p = phase(t);
  switch (mode_) {
    case 0: return p.counting && p.d >= p.n;
    case 1: return !p.counting || p.d >= p.n;
    case 2: return !p.counting || suspended_ || p.d % p.n != p.n - 1;
    case 3: return !p.counting || suspended_ || (p.d + p.off) % p.n < (p.n + 1) / 2;
    default: return !p.counting || p.d != p.n;  // modes 4, 5: one low clock at terminal count
  }
}

uint16_t PitChannel::count(uint64_t t) const {
  Phase p = phase(t);
  if (!p.counting) return idle_ce_;
  uint32_t m = modulus(), ce;
  switch (mode_) {
    case 2: ce = p.n - static_cast<uint32_t>(p.d % p.n); break;
    case 3: ce = square_wave_count(p.n, static_cast<uint32_t>((p.d + p.off) % p.n)); break;
    default: ce = (p.n + m - static_cast<uint32_t>(p.d % m)) % m; break;  // wraps past zero
  }
  ce %= m;
  return bcd_ ? to_bcd(ce) : static_cast<uint16_t>(ce);
}

uint8_t PitChannel::status(uint64_t t) const {
  return static_cast<uint8_t>((out(t) ? 0x80 : 0) | (null_count(t) ? 0x40 : 0) | rw_ << 4 |
                              programmed_mode_ << 1 | (bcd_ ? 1 : 0));
}

std::optional<uint64_t> PitChannel::next_rise(uint64_t t) const {
  if (!armed_ || suspended_) return std::nullopt;
  // Clocks from a phase (d, off) to the next rise of OUT under count n.
  auto rise_in = [this](uint64_t d, uint32_t n, uint32_t off) -> std::optional<uint64_t> {
    switch (mode_) {
      case 0:
      case 1: return d < n ? std::optional<uint64_t>(n - d) : std::nullopt;
      case 2: return n - d % n;
      case 3: return n - (d + off) % n;
      default: return d <= n ? std::optional<uint64_t>(n + 1 - d) : std::nullopt;
    }
  };
  Phase p = phase(t);
  uint64_t base = p.counting ? t : load_tick_;
  std::optional<uint64_t> in = rise_in(p.d, p.n, p.off);
  if (!in) return std::nullopt;
  uint64_t rise = base + *in;
  if (pending_n_ && pending_at_ > t && rise > pending_at_) {
    // A new count takes over first; the rise comes from its phase.
    uint32_t n = *pending_n_;
    std::optional<uint64_t> after = rise_in(0, n, pending_low_start_ ? (n + 1) / 2 : 0);
    if (!after) return std::nullopt;
    rise = pending_at_ + *after;
  }
  return rise;
}

void PitChannel::latch_count(uint64_t t) {
  if (!latched_count_) latched_count_ = count(t);
}

void PitChannel::latch_status(uint64_t t) {
  if (!latched_status_) latched_status_ = status(t);
}

uint8_t PitChannel::read(uint64_t t) {
  if (latched_status_) {  // a latched status always reads first
    uint8_t s = *latched_status_;
    latched_status_.reset();
    return s;
  }
  uint16_t c = latched_count_ ? *latched_count_ : count(t);
  bool msb;
  if (rw_ == 3) {
    msb = read_msb_next_;
    read_msb_next_ = !read_msb_next_;
  } else {
    msb = rw_ == 2;
  }
  // A latch holds until its last byte (per the access mode) is read.
  if (latched_count_ && (rw_ != 3 || msb)) latched_count_.reset();
  return static_cast<uint8_t>(msb ? c >> 8 : c);
}

}  // namespace bt86
