// Test support: an interrupt line's receiver that keeps the level and
// counts rising edges (how the PIT's and the RTC's tests see their IRQ).
#pragma once
#include "bt86/devices/irq.h"

namespace bt86::test {

struct EdgeSink final : InterruptSink {
  bool level = false;
  int rises = 0;
  void set_irq(unsigned, bool high) override {
    if (high && !level) ++rises;
    level = high;
  }
};

}  // namespace bt86::test
