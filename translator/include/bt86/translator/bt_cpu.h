// The binary-translation backend's vCPU: runs the guest described by a
// GuestContext as translated host code until something ends the run.
#pragma once
#include <memory>
#include <string>

#include "bt86/devices/bus.h"
#include "bt86/devices/run_control.h"
#include "bt86/segmentation/cpu_state.h"
#include "bt86/shadow/guest_ram.h"
#include "bt86/translator/platform.h"
#include "bt86/translator/stats.h"

namespace bt86 {

struct GuestContext {
  CpuState& cpu;
  GuestRam& ram;
  Bus& io;
  Bus& mmio;
  RunControl& control;
  Platform platform = {};
};

struct RunOutcome {
  int exit_status;
  std::string message;  // why the run ended, for the user; with a state dump on guest death
};

// Bounds one run() so that the caller can move the guest to another backend
// in between. A slice ends (exit_status::kSliceEnded) at an instruction
// boundary with nothing pending inside the backend: CpuState and the shared
// devices then hold the whole machine.
struct RunLimits {
  double timeout_seconds = 0;  // <= 0: no limit
  // > 0: end after about this many guest instructions. bt86 counts the
  // instructions of every block it enters (block granularity; chaining is
  // off during such runs so that every block entry is seen).
  uint64_t slice_instructions = 0;
  // > 0: end after this much host time (the safepoint stops translated code).
  double slice_seconds = 0;
};

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

// Exit statuses of a run that no guest chose.
namespace exit_status {
constexpr int kHalted = 0;       // guest halted with nothing left to wake it
constexpr int kGuestDied = 2;    // unsupported/undefined instruction, triple fault, ...
constexpr int kTimeout = 124;
constexpr int kSliceEnded = -1;  // RunLimits' slice is over; the guest goes on
}  // namespace exit_status

// Registers, flags, segments, control and table registers, for reports.
std::string dump_state(const CpuState& cpu);

}  // namespace bt86
