// A thread that wakes the vCPU when the host has something for the guest:
// the next device deadline has passed, or host input arrived. It only calls
// `wake` (the KVM backend kicks its vCPU out of KVM_RUN); the vCPU thread
// does the device work. The BT engine uses the thread-less TimerWaker
// (translator/timer_waker.h) instead.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "bt86/devices/clock.h"

namespace bt86 {

class Waker {
public:
  Waker(const Clock& clock, std::function<void()> wake);
  ~Waker();
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;

  // The next moment the vCPU must look at the devices (UINT64_MAX: none,
  // e.g. while the vCPU sleeps in HLT with its own timeout).
  void set_deadline(uint64_t ns);
  // Input was consumed: watch this descriptor (-1: none) again.
  void rearm_input(int fd);

private:
  void loop();
  void notify();

  const Clock& clock_;
  std::atomic<int> input_fd_{-1};
  std::function<void()> wake_;
  int event_fd_ = -1;
  std::atomic<uint64_t> deadline_{UINT64_MAX};
  std::atomic<bool> input_armed_{true};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace bt86
