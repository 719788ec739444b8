#include "bt86/devices/clock.h"

#include <algorithm>
#include <utility>

namespace bt86 {

HostClock::HostClock() { clock_gettime(CLOCK_MONOTONIC, &start_); }

uint64_t HostClock::host_ns() const {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  int64_t ns = (static_cast<int64_t>(now.tv_sec) - start_.tv_sec) * 1'000'000'000 +
               (static_cast<int64_t>(now.tv_nsec) - start_.tv_nsec);
  return ns > 0 ? static_cast<uint64_t>(ns) : 0;
}

uint64_t HostClock::now_ns() const {
  const uint64_t host = host_ns(), behind = behind_ns();
  return host > behind ? host - behind : 0;
}

uint64_t HostClock::catch_up(uint64_t ns) {
  ns = std::min(ns, behind_ns());
  behind_ns_.fetch_sub(ns, std::memory_order_relaxed);
  return ns;
}

EventQueue::TimerId EventQueue::schedule(uint64_t when_ns, std::function<void()> callback) {
  std::optional<uint64_t> before = next_deadline();
  TimerId id = next_id_++;
  timers_.emplace(Key{when_ns, id}, std::move(callback));
  deadline_of_.emplace(id, when_ns);
  if (on_earlier_ && (!before || when_ns < *before)) on_earlier_(when_ns);
  return id;
}

bool EventQueue::cancel(TimerId id) {
  auto it = deadline_of_.find(id);
  if (it == deadline_of_.end()) return false;
  timers_.erase(Key{it->second, id});
  deadline_of_.erase(it);
  return true;
}

std::optional<uint64_t> EventQueue::next_deadline() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first.when;
}

void EventQueue::run_expired(uint64_t now_ns) {
  // One timer at a time from the front: a callback may add or remove timers,
  // which would invalidate any iterator held across the call.
  while (!timers_.empty() && timers_.begin()->first.when <= now_ns) {
    auto node = timers_.extract(timers_.begin());
    deadline_of_.erase(node.key().id);
    node.mapped()();
  }
}

void TimerSlot::arm(uint64_t when_ns, std::function<void()> callback) {
  cancel();
  id_ = queue_.schedule(when_ns, [this, cb = std::move(callback)] {
    id_ = 0;
    cb();
  });
}

void TimerSlot::cancel() {
  if (id_ != 0) queue_.cancel(id_);
  id_ = 0;
}

}  // namespace bt86
