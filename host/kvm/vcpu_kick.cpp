#include "bt86/kvm/vcpu_kick.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <system_error>

#include "bt86/vcpu/signal_entry.h"

namespace bt86 {

namespace {
// The kvm_run of the vCPU running on this thread (one per thread).
thread_local kvm_run* tls_run = nullptr;

// Entered through bt86_signal_entry: a kick may interrupt bt86's translated
// code too (switching backends), with the guest's AC set.
void on_kick(int, siginfo_t*, void*) {
  if (kvm_run* r = tls_run) __atomic_store_n(&r->immediate_exit, 1, __ATOMIC_SEQ_CST);
}
}  // namespace

VcpuKick::VcpuKick(kvm_run* run) : run_(run) {
  tls_run = run;
  install_signal_handler(kSignal, on_kick, SA_RESTART);  // other syscalls restart; KVM_RUN and ppoll still return EINTR
  sigevent ev{};
  ev.sigev_notify = SIGEV_THREAD_ID;
  ev.sigev_signo = kSignal;
  ev._sigev_un._tid = static_cast<pid_t>(::syscall(SYS_gettid));
  if (timer_create(CLOCK_MONOTONIC, &ev, &timer_) != 0)
    throw std::system_error(errno, std::generic_category(), "timer_create");
}

VcpuKick::~VcpuKick() {
  timer_delete(timer_);
  tls_run = nullptr;
}

void VcpuKick::kick(pthread_t vcpu_thread) { pthread_kill(vcpu_thread, kSignal); }

void VcpuKick::clear() const { __atomic_store_n(&run_->immediate_exit, 0, __ATOMIC_SEQ_CST); }

void VcpuKick::kick_after(uint64_t ns) {
  if (ns == armed_ns_ && ns == UINT64_MAX) return;
  armed_ns_ = ns;
  itimerspec spec{};
  if (ns != UINT64_MAX) {
    ns = ns ? ns : 1;  // 0 would disarm
    spec.it_value = {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  }
  timer_settime(timer_, 0, &spec, nullptr);
}

}  // namespace bt86
