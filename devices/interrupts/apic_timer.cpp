#include "bt86/devices/apic_timer.h"

#include <algorithm>
#include <cmath>

namespace bt86 {

ApicTimer::ApicTimer(const Clock& clock, EventQueue& events, const GuestTsc* tsc, std::function<void()> expired)
    : clock_(clock), tsc_(tsc), expired_(std::move(expired)), slot_(events) {}

uint64_t ApicTimer::divisor() const {
  // Bits 0, 1 and 3 form 0..7: divide by 2, 4, ... 128, and 7 by 1.
  unsigned code = (divide_reg_ & 3) | ((divide_reg_ >> 1) & 4);
  return uint64_t{1} << ((code + 1) & 7);
}

uint64_t ApicTimer::ticks_at(uint64_t now) const {
  return base_ticks_ + (now - base_ns_) / divisor();
}

uint32_t ApicTimer::current() const {
  if (!counting_ || mode_ == Mode::kTscDeadline) return 0;
  uint64_t elapsed = ticks_at(clock_.now_ns());
  if (mode_ == Mode::kPeriodic) return static_cast<uint32_t>(initial_ - elapsed % initial_);
  return elapsed >= initial_ ? 0 : static_cast<uint32_t>(initial_ - elapsed);
}

// Counting goes on from the current count: the count so far becomes the
// new base, so a change of divisor or of periodic/one-shot applies from now.
void ApicTimer::rebase() {
  uint64_t now = clock_.now_ns();
  uint32_t count = current();
  base_ticks_ = initial_ - count;
  base_ns_ = now;
}

void ApicTimer::set_mode(Mode mode) {
  if (mode == mode_) return;
  if ((mode == Mode::kTscDeadline) != (mode_ == Mode::kTscDeadline)) {
    stop();
    mode_ = mode;
    return;
  }
  if (counting_) {
    rebase();
    if (mode_ == Mode::kOneShot && base_ticks_ >= initial_) counting_ = false;  // already at 0
  }
  mode_ = mode;
  if (counting_) schedule_count();
}

void ApicTimer::set_divide(uint32_t value) {
  if (counting_) rebase();
  divide_reg_ = value & 0xB;
  if (counting_) schedule_count();
}

void ApicTimer::set_initial(uint32_t count) {
  if (mode_ == Mode::kTscDeadline) return;
  initial_ = count;
  slot_.cancel();
  counting_ = count != 0;
  if (!counting_) return;
  base_ns_ = clock_.now_ns();
  base_ticks_ = 0;
  schedule_count();
}

void ApicTimer::schedule_count() {
  const uint64_t now = clock_.now_ns();
  const uint64_t elapsed = ticks_at(now);
  uint64_t target;  // the tick count at which the counter next reaches 0
  if (mode_ == Mode::kPeriodic) target = (elapsed / initial_ + 1) * initial_;
  else target = std::max<uint64_t>(elapsed, initial_);
  uint64_t when = base_ns_ + (target - base_ticks_) * divisor();
  if (mode_ == Mode::kPeriodic && period_ns() < kMinPeriodNs) when = std::max(when, now + kMinPeriodNs);
  slot_.arm(when, [this] { count_expired(); });
}

void ApicTimer::count_expired() {
  if (mode_ == Mode::kPeriodic) schedule_count();
  else counting_ = false;
  expired_();
}

void ApicTimer::set_deadline(uint64_t tsc) {
  if (mode_ != Mode::kTscDeadline) return;
  slot_.cancel();
  deadline_ = tsc;
  if (tsc == 0 || !tsc_) return;
  arm_deadline();
}

void ApicTimer::arm_deadline() {
  uint64_t now_tsc = tsc_->now();
  if (deadline_ <= now_tsc) {
    deadline_expired();
    return;
  }
  auto ns = static_cast<uint64_t>(std::ceil(static_cast<double>(deadline_ - now_tsc) * tsc_->ns_per_cycle()));
  slot_.arm(clock_.now_ns() + std::max<uint64_t>(ns, 1), [this] { arm_deadline(); });
}

void ApicTimer::deadline_expired() {
  deadline_ = 0;  // the MSR reads 0 once the timer fired
  expired_();
}

void ApicTimer::stop() {
  slot_.cancel();
  counting_ = false;
  deadline_ = 0;
}

}  // namespace bt86
