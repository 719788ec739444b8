#include "dispatch/timer_waker.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <stdexcept>
#include <system_error>

#include "bt86/vcpu/signal_entry.h"

namespace bt86 {

namespace {

// The wakers alive on this thread. A signal names its waker (si_value), and
// one queued just before its timer was deleted must find it gone.
constexpr unsigned kMaxWakers = 8;
thread_local std::atomic<TimerWaker*> tls_wakers[kMaxWakers];

int timer_signal() { return SIGRTMIN; }

void install_handler(SignalHandler handler) {
  static const bool installed = [handler] {
    // SA_RESTART: a tick must not fail a read or write of the host's
    // terminal; ppoll still returns (Linux never restarts it).
    install_signal_handler(timer_signal(), handler, SA_RESTART);
    return true;
  }();
  (void)installed;
}
}  // namespace

TimerWaker::TimerWaker(const Clock& clock, std::function<void()> wake) : clock_(clock), wake_(std::move(wake)) {
  install_handler(on_signal);
  auto slot = std::find(std::begin(tls_wakers), std::end(tls_wakers), nullptr);
  if (slot == std::end(tls_wakers)) throw std::runtime_error("too many engines on one thread");
  sigevent sev{};
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = timer_signal();
  sev.sigev_value.sival_ptr = this;
  sev._sigev_un._tid = gettid();  // glibc 2.36 lacks the sigev_notify_thread_id name
  if (timer_create(CLOCK_MONOTONIC, &sev, &timer_) != 0)
    throw std::system_error(errno, std::generic_category(), "timer_create");
  *slot = this;
}

TimerWaker::~TimerWaker() {
  for (auto& w : tls_wakers)
    if (w == this) w = nullptr;
  timer_delete(timer_);
}

// SAFETY: runs in a signal handler on the vCPU thread, entered through
// bt86_signal_entry (so with AC and DF clear, whatever the interrupted guest
// code had set): it touches only atomics, clock_gettime, poll and
// timer_settime (async-signal-safe), and the engine's wake (an atomic store
// and mprotect).
void TimerWaker::on_signal(int, siginfo_t* info, void*) {
  int saved = errno;
  auto* named = static_cast<TimerWaker*>(info->si_value.sival_ptr);
  for (auto& w : tls_wakers)
    if (w == named) {
      named->fired();
      break;
    }
  errno = saved;
}

void TimerWaker::fired() {
  armed_for_ = UINT64_MAX;
  if (paused_) return;
  uint64_t deadline = deadline_, now = clock_.now_ns();
  int fd = input_fd_;
  bool input = false;
  if (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    input = poll(&p, 1, 0) > 0;
  }
  if (deadline <= now || input) {
    if (input) input_fd_ = -1;  // until the vCPU has taken the input
    wake_();
    return;
  }
  // Early (for a deadline that has since moved later, or an input poll).
  uint64_t next = std::min(deadline, fd >= 0 ? now + kInputPollNs : UINT64_MAX);
  if (next != UINT64_MAX) arm(next);
}

void TimerWaker::arm(uint64_t when_ns) {
  armed_for_ = when_ns;
  uint64_t now = clock_.now_ns();
  uint64_t left = when_ns > now ? when_ns - now : 1;  // 0 would disarm
  itimerspec spec{};
  spec.it_value = {static_cast<time_t>(left / 1'000'000'000), static_cast<long>(left % 1'000'000'000)};
  timer_settime(timer_, 0, &spec, nullptr);
}

void TimerWaker::set_deadline(uint64_t ns) {
  // Only this thread's signal handler reads it: no fence needed (a
  // sequentially consistent store cost a tenth of an int 0x80 round trip).
  deadline_.store(ns, std::memory_order_relaxed);
  // A deadline at or after the timer armed now (for a deadline or to poll
  // input): what was armed stands, and re-arms itself when it goes off
  // early. The common case, on every helper continuation, then reads no
  // clock. (The same deadline as last time is not enough: a timer that went
  // off for it is disarmed until the devices have run.)
  if (!paused_ && armed_for_ != UINT64_MAX && armed_for_ <= ns) return;
  paused_ = false;
  // A timer armed later is moved earlier; one armed earlier finds nothing
  // due when it goes off and re-arms itself.
  uint64_t want = std::min(ns, input_fd_ >= 0 ? clock_.now_ns() + kInputPollNs : UINT64_MAX);
  if (want < armed_for_) arm(want);
}

void TimerWaker::rearm_input(int fd) {
  input_fd_ = fd;
  if (fd >= 0 && !paused_ && armed_for_ == UINT64_MAX) arm(clock_.now_ns() + kInputPollNs);
}

}  // namespace bt86
