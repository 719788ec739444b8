// The binary-translation backend's vCPU: runs the guest described by a
// GuestContext as translated host code until something ends the run.
#pragma once
#include <memory>

#include "bt86/vcpu/guest_context.h"
#include "bt86/vcpu/run.h"
#include "bt86/vcpu/stats.h"

namespace bt86 {

class Engine;

class BtCpu {
public:
  explicit BtCpu(GuestContext context);
  ~BtCpu();
  // timeout_seconds <= 0: no limit.
  RunOutcome run(double timeout_seconds);
  RunOutcome run(const RunLimits& limits);
  // Another backend ran the guest since the last run(): guest code and page
  // tables may have changed behind our back, so drop every translation and
  // shadow mapping (the next run() starts from guest memory as it is).
  void forget_guest_memory();
  // Guest instructions run so far (counted as RunLimits describes; only
  // during runs with slice_instructions or a virtual clock).
  uint64_t instructions_run() const;
  const Stats& stats() const;

private:
  std::unique_ptr<Engine> engine_;
};

}  // namespace bt86
