#include "bt86/vcpu/device_service.h"

#include <poll.h>

#include <algorithm>

namespace bt86 {

void DeviceService::service(VcpuWaker* waker) {
  if (platform_.pump_input) platform_.pump_input();
  if (waker) {
    bool wanted = platform_.input_fd && (!platform_.wants_input || platform_.wants_input());
    waker->rearm_input(wanted ? platform_.input_fd() : -1);
  }
  if (platform_.events && platform_.clock) platform_.events->run_expired(platform_.clock->now_ns());
}

uint8_t DeviceService::acknowledge() {
  uint8_t vector = platform_.interrupts->acknowledge();
  if (hidden_) hidden_->catch_up_at_interrupt(cpu_);
  return vector;
}

void DeviceService::acknowledge_nmi() {
  platform_.interrupts->acknowledge_nmi();
  if (hidden_) hidden_->catch_up_at_interrupt(cpu_);
}

std::optional<uint64_t> DeviceService::next_deadline() const {
  return platform_.events ? platform_.events->next_deadline() : std::nullopt;
}

uint64_t DeviceService::ns_to_next_event() const {
  std::optional<uint64_t> deadline = next_deadline();
  if (!deadline || !platform_.clock) return kNever;
  uint64_t now = platform_.clock->now_ns();
  return *deadline > now ? *deadline - now : 0;
}

void DeviceService::halt_wait(VcpuWaker* waker, uint64_t limit_ns) {
  const uint64_t to_event = ns_to_next_event();
  if (platform_.virtual_clock) {  // nothing else can happen: jump to the next event
    if (to_event != kNever) platform_.virtual_clock->advance(to_event);
    return;
  }
  // A halt is where the guest gets back the time it did not see: up to its
  // next timer (or all of it when none is set), which then fires at once.
  if (hidden_) {
    if (uint64_t behind = hidden_->behind_ns()) {
      uint64_t gap = to_event != kNever ? to_event : behind;
      if (gap && hidden_->catch_up(gap, cpu_) == gap) return;
    }
  }
  // Sleep in the host until the next event or input: an idle guest costs
  // ~0 % CPU. This thread wakes itself, so the waker need not.
  if (waker) waker->sleeping();
  uint64_t wait = std::min({to_event, limit_ns, kMaxHaltNs});
  timespec timeout{static_cast<time_t>(wait / 1'000'000'000), static_cast<long>(wait % 1'000'000'000)};
  pollfd fd{platform_.input_fd ? platform_.input_fd() : -1, POLLIN, 0};
  ppoll(&fd, fd.fd >= 0 ? 1 : 0, &timeout, nullptr);
}

}  // namespace bt86
