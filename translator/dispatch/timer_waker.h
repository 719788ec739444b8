// The BT engine's waker without a thread: a POSIX timer that signals the
// vCPU thread itself when the next device deadline passes, and while guest
// input is wanted also every kInputPollNs to look at the input descriptor.
// Its signal handler only calls `wake` (the engine revokes the safepoint
// page); the vCPU thread does the device work.
//
// Why not the input thread (the KVM backend's InputWaker): a
// second thread in the process makes every mmap/mprotect of the shadow
// windows shoot down TLBs on the CPU it last ran on. Measured, A/B
// interleaved: a Linux fork/wait round trip 15-25 % faster without it.
// The signal can arrive anywhere; the one place that must not see it,
// compatibility-mode execution (compat32.cpp), blocks it.
#pragma once
#include <signal.h>
#include <time.h>

#include <atomic>
#include <cstdint>
#include <functional>

#include "bt86/devices/clock.h"
#include "bt86/vcpu/device_service.h"

namespace bt86 {

class TimerWaker final : public VcpuWaker {
public:
  static constexpr uint64_t kInputPollNs = 20'000'000;

  // Must be constructed on the thread it is to wake.
  TimerWaker(const Clock& clock, std::function<void()> wake);
  ~TimerWaker();
  TimerWaker(const TimerWaker&) = delete;
  TimerWaker& operator=(const TimerWaker&) = delete;

  // The next moment the vCPU must look at the devices (UINT64_MAX: none).
  void set_deadline(uint64_t ns);
  // No wake-ups until the next set_deadline: the vCPU sleeps in HLT with its
  // own timeout and input watch, or another backend runs the guest.
  void pause() { paused_ = true; }
  void sleeping() override { pause(); }
  // Input was consumed: watch this descriptor (-1: none) again.
  void rearm_input(int fd) override;

private:
  static void on_signal(int, siginfo_t*, void*);
  void fired();
  void arm(uint64_t when_ns);

  const Clock& clock_;
  std::function<void()> wake_;
  timer_t timer_{};
  std::atomic<uint64_t> deadline_{UINT64_MAX};
  std::atomic<uint64_t> armed_for_{UINT64_MAX};  // when the timer goes off next (MAX: disarmed)
  std::atomic<int> input_fd_{-1};
  std::atomic<bool> paused_{true};
};

}  // namespace bt86
