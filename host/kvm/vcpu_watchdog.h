// Ends a KVM_RUN after a timeout: a thread waits, then sets the vCPU's
// immediate_exit (so a KVM_RUN about to start returns at once) and signals
// the vCPU thread (so one already running returns with EINTR).
#pragma once
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace bt86 {

class VcpuWatchdog {
public:
  // seconds <= 0: never fires. Construct on the thread that calls KVM_RUN.
  VcpuWatchdog(double seconds, kvm_run* run, std::atomic<bool>& fired);
  ~VcpuWatchdog();
  VcpuWatchdog(const VcpuWatchdog&) = delete;
  VcpuWatchdog& operator=(const VcpuWatchdog&) = delete;

  static constexpr int kSignal = SIGUSR1;

private:
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool cancelled_ = false;
  struct sigaction old_action_ {};
};

}  // namespace bt86
