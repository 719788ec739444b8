// The local APIC's timer (SDM vol. 3, 10.5.4): a 32-bit counter that counts
// down from the initial count at the bus clock divided by the divide
// configuration, once (one-shot) or reloading (periodic); or, in TSC-deadline
// mode, a comparison of the guest TSC with IA32_TSC_DEADLINE. Like every
// device here it computes the count from the clock when read, and puts an
// event on the queue only for the moment it expires.
#pragma once
#include <cstdint>
#include <functional>

#include "bt86/devices/clock.h"
#include "bt86/devices/guest_tsc.h"

namespace bt86 {

class ApicTimer {
public:
  // The bus clock the counter divides: 1 GHz, as KVM's and QEMU's APICs
  // (a guest calibrates it; nothing depends on the figure).
  static constexpr uint64_t kBusHz = 1'000'000'000;
  // A periodic timer fires at most this often, whatever the guest
  // programs: a period of a few bus cycles would otherwise keep the host
  // busy with nothing but timer events (KVM has a floor of its own).
  static constexpr uint64_t kMinPeriodNs = 100'000;

  enum class Mode : uint8_t { kOneShot, kPeriodic, kTscDeadline };

  // expired runs when the counter reaches zero (every period in periodic
  // mode) or the TSC reaches the deadline.
  ApicTimer(const Clock& clock, EventQueue& events, const GuestTsc* tsc, std::function<void()> expired);

  // The LVT timer's mode field. A change to or from TSC-deadline mode
  // disarms the timer (the count and the deadline read 0).
  void set_mode(Mode mode);
  Mode mode() const { return mode_; }

  // Divide configuration register (bits 0, 1 and 3).
  void set_divide(uint32_t value);
  uint32_t divide() const { return divide_reg_; }

  // Initial count register: a write starts counting from it (0 stops the
  // timer). Ignored in TSC-deadline mode.
  void set_initial(uint32_t count);
  uint32_t initial() const { return initial_; }
  uint32_t current() const;

  // IA32_TSC_DEADLINE. Reads 0 outside TSC-deadline mode and once the
  // deadline passed; a write outside that mode is ignored, 0 disarms.
  void set_deadline(uint64_t tsc);
  uint64_t deadline() const { return deadline_; }

  // Stops counting and forgets the deadline (reset, hardware disable).
  void stop();

private:
  uint64_t divisor() const;
  uint64_t period_ns() const { return uint64_t{initial_} * divisor(); }
  // Bus ticks counted since the count was loaded, at device time now.
  uint64_t ticks_at(uint64_t now) const;
  // The count so far becomes the base that later ticks add to.
  void rebase();
  // Arms the event for the next expiry of a running count.
  void schedule_count();
  void count_expired();
  // Fires if the TSC reached the deadline, else arms the event for it.
  void arm_deadline();
  void deadline_expired();

  const Clock& clock_;
  const GuestTsc* tsc_;
  std::function<void()> expired_;
  TimerSlot slot_;
  Mode mode_ = Mode::kOneShot;
  uint32_t divide_reg_ = 0;
  uint32_t initial_ = 0;
  bool counting_ = false;
  uint64_t base_ns_ = 0;     // device time at which base_ticks_ had been counted
  uint64_t base_ticks_ = 0;  // ticks counted since the count was loaded
  uint64_t deadline_ = 0;
};

}  // namespace bt86
