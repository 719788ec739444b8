// The guest's time-stamp counter as a device sees it: the local APIC's
// TSC-deadline timer compares the guest TSC with IA32_TSC_DEADLINE, and
// must turn a deadline into a moment on the device clock.
#pragma once
#include <cstdint>

namespace bt86 {

class GuestTsc {
public:
  virtual ~GuestTsc() = default;
  // The TSC the guest would read now.
  virtual uint64_t now() const = 0;
  // Device-clock nanoseconds per TSC cycle.
  virtual double ns_per_cycle() const = 0;
};

}  // namespace bt86
