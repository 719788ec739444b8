// The binary translator: runs the guest described by a GuestContext as
// translated host code until something ends the run. Its vCPU adapter is
// host/bt/ (BtCpu).
#pragma once
#include <cstdint>
#include <memory>

#include "bt86/vcpu/guest_context.h"
#include "bt86/vcpu/run.h"
#include "bt86/vcpu/stats.h"

namespace bt86 {

class Engine;

class Translator {
public:
  explicit Translator(GuestContext context);
  ~Translator();
  Translator(const Translator&) = delete;
  Translator& operator=(const Translator&) = delete;

  // RunLimits::debug: breakpoints, watchpoints and steps, all of them.
  RunOutcome run(const RunLimits& limits);
  // From any thread: the run ends at the next instruction boundary
  // (exit_status::kDebugStop); see Vcpu::interrupt.
  void interrupt();
  // Guest code and page tables may have changed behind our back (another
  // backend ran the guest): drop every translation and shadow mapping, so
  // the next run() starts from guest memory as it is.
  void forget_guest_memory();
  // Guest instructions run so far (counted as RunLimits describes; only
  // during runs with slice_instructions or a virtual clock).
  uint64_t instructions_run() const;
  const Stats& stats() const;

private:
  std::unique_ptr<Engine> engine_;
};

}  // namespace bt86
