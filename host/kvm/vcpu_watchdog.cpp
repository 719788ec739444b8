#include "vcpu_watchdog.h"

#include <chrono>

namespace bt86 {

namespace {
// Its only job is to exist: a signal with a handler interrupts KVM_RUN,
// while the default action would end the process.
void on_kick(int) {}
}  // namespace

VcpuWatchdog::VcpuWatchdog(double seconds, kvm_run* run, std::atomic<bool>& fired) {
  if (seconds <= 0) return;
  struct sigaction sa {};
  sa.sa_handler = on_kick;
  sa.sa_flags = SA_RESTART;  // other syscalls restart; KVM_RUN still returns EINTR
  sigemptyset(&sa.sa_mask);
  sigaction(kSignal, &sa, &old_action_);
  pthread_t vcpu_thread = pthread_self();
  thread_ = std::thread([this, seconds, run, &fired, vcpu_thread] {
    std::unique_lock lock(mutex_);
    if (cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return cancelled_; })) return;
    fired = true;
    __atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    pthread_kill(vcpu_thread, kSignal);  // the vCPU thread is alive: the destructor joins us first
  });
}

VcpuWatchdog::~VcpuWatchdog() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  cv_.notify_all();
  thread_.join();
  sigaction(kSignal, &old_action_, nullptr);
}

}  // namespace bt86
