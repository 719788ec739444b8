// A thread that watches the host's input descriptor and calls `wake` when
// it becomes readable (the KVM backend kicks its vCPU out of KVM_RUN); the
// vCPU thread does the device work. Device deadlines are the vCPU thread's
// own timers (the KVM backend's VcpuKick, the BT engine's TimerWaker).
#pragma once
#include <atomic>
#include <functional>
#include <thread>

#include "bt86/vcpu/device_service.h"

namespace bt86 {

class InputWaker final : public VcpuWaker {
public:
  explicit InputWaker(std::function<void()> wake);
  ~InputWaker();
  InputWaker(const InputWaker&) = delete;
  InputWaker& operator=(const InputWaker&) = delete;

  // Input was consumed: watch this descriptor (-1: none) again.
  void rearm_input(int fd) override;

private:
  void loop();
  void notify();

  std::atomic<int> input_fd_{-1};
  std::function<void()> wake_;
  int event_fd_ = -1;
  std::atomic<bool> input_armed_{true};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace bt86
