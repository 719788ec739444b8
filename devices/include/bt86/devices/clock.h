// Virtual time for the device models. Devices never count ticks: they read
// a Clock when the guest looks at them and compute what the hardware would
// show, and they put an event on the EventQueue only for the moments the
// guest must be told about without asking (an interrupt edge).
#pragma once
#include <atomic>
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>

namespace bt86 {

class Clock {
public:
  virtual ~Clock() = default;
  // Nanoseconds since an arbitrary origin; never decreases.
  virtual uint64_t now_ns() const = 0;
  // Whether reading it reads the host's clock (a vDSO call, a trap to the
  // hypervisor on some hosts): a caller that only stamps events for later
  // may stamp them with the TSC and convert when it needs the time.
  virtual bool reads_host() const { return false; }
};

// CLOCK_MONOTONIC, counted from construction, minus the time the guest was
// kept from seeing: while bt86 does work of its own that a PC never does
// (translating code), the guest's time stands still, and the guest gets
// that time back later, while it halts (catch_up).
class HostClock final : public Clock {
public:
  HostClock();
  uint64_t now_ns() const override;  // the guest's: host_ns() - behind_ns()
  bool reads_host() const override { return true; }
  uint64_t host_ns() const;          // the host's, since construction

  // The last `ns` of host time are hidden from the guest.
  void stand_still(uint64_t ns) { behind_ns_.fetch_add(ns, std::memory_order_relaxed); }
  // How far the guest's time is behind the host's.
  uint64_t behind_ns() const { return behind_ns_.load(std::memory_order_relaxed); }
  // Moves guest time forward by up to `ns` of what it is behind; returns how much.
  uint64_t catch_up(uint64_t ns);

private:
  timespec start_{};
  std::atomic<uint64_t> behind_ns_{0};  // read by signal handlers and the KVM waker too
};

// Time that moves only when told to: deterministic runs and unit tests.
class VirtualClock final : public Clock {
public:
  uint64_t now_ns() const override { return now_; }
  void advance(uint64_t ns) { now_ += ns; }

private:
  uint64_t now_ = 0;
};

// Timers, ordered by deadline (ties in scheduling order). Not thread-safe:
// the engine owns it on the vCPU thread and calls run_expired() whenever it
// is outside translated code and next_deadline() has passed.
class EventQueue {
public:
  using TimerId = uint64_t;  // 0 is never a valid id

  TimerId schedule(uint64_t when_ns, std::function<void()> callback);
  // False when the timer already ran or was cancelled.
  bool cancel(TimerId id);
  std::optional<uint64_t> next_deadline() const;
  // Runs every timer whose deadline is <= now_ns, earliest first. Callbacks
  // may schedule or cancel timers; one due by now_ns runs in this call too.
  void run_expired(uint64_t now_ns);
  std::size_t size() const { return timers_.size(); }

  // Called (with the new deadline) when schedule() makes the earliest
  // deadline earlier, so an engine sleeping or running until the old one
  // can re-arm its wake-up.
  void set_on_earlier_deadline(std::function<void(uint64_t)> hook) { on_earlier_ = std::move(hook); }

private:
  struct Key {
    uint64_t when;
    TimerId id;
    bool operator<(const Key& o) const { return when != o.when ? when < o.when : id < o.id; }
  };
  std::map<Key, std::function<void()>> timers_;
  std::unordered_map<TimerId, uint64_t> deadline_of_;
  TimerId next_id_ = 1;
  std::function<void(uint64_t)> on_earlier_;
};

// A timer slot that a device re-arms: cancels its previous timer first, so a
// device never has two pending timers for the same purpose.
class TimerSlot {
public:
  explicit TimerSlot(EventQueue& queue) : queue_(queue) {}
  ~TimerSlot() { cancel(); }
  TimerSlot(const TimerSlot&) = delete;
  TimerSlot& operator=(const TimerSlot&) = delete;

  void arm(uint64_t when_ns, std::function<void()> callback);
  void cancel();
  bool armed() const { return id_ != 0; }

private:
  EventQueue& queue_;
  EventQueue::TimerId id_ = 0;
};

}  // namespace bt86
