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

  // From any thread, while or after this vCPU thread runs: the handler
  // stays installed for the process (it does nothing on a thread with no
  // vCPU), so a late kick never meets the default action, which would end
  // the process.
  static void kick(pthread_t vcpu_thread);
  // One-shot timer kicking this vCPU after `ns` (UINT64_MAX: disarm);
  // re-arming replaces the previous expiry.
  void kick_after(uint64_t ns);
  // Clear after every KVM_RUN return, before looking at the clocks again.
  void clear() const;

  static constexpr int kSignal = SIGUSR1;

private:
  kvm_run* run_;
  timer_t timer_{};
  uint64_t armed_ns_ = UINT64_MAX;
};

}  // namespace bt86
