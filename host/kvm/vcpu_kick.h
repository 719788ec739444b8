// Gets the vCPU thread out of KVM_RUN (or out of a sleep) promptly: for a
// device deadline, host input, the end of a switching slice or a timeout.
// A signal handler on the vCPU thread sets kvm_run.immediate_exit, so a
// KVM_RUN already running returns with EINTR and one about to start returns
// at once: no wake-up is lost between the loop's checks and KVM_RUN. The
// loop clears immediate_exit after every return, then re-checks its clocks.
#pragma once
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <cstdint>

namespace bt86 {

class VcpuKick {
public:
  // Construct and destroy on the thread that calls KVM_RUN.
  explicit VcpuKick(kvm_run* run);
  ~VcpuKick();
  VcpuKick(const VcpuKick&) = delete;
  VcpuKick& operator=(const VcpuKick&) = delete;

  // From any thread.
  void kick() const;
  // One-shot timer kicking this vCPU after `ns` (UINT64_MAX: disarm);
  // re-arming replaces the previous expiry.
  void kick_after(uint64_t ns);
  // Clear after every KVM_RUN return, before looking at the clocks again.
  void clear() const;

  static constexpr int kSignal = SIGUSR1;

private:
  kvm_run* run_;
  pthread_t thread_;
  timer_t timer_{};
  bool has_timer_ = false;
  uint64_t armed_ns_ = UINT64_MAX;
  struct sigaction old_action_ {};
};

}  // namespace bt86
