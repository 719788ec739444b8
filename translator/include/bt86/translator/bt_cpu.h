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

class Engine;

class BtCpu {
public:
  explicit BtCpu(GuestContext context);
  ~BtCpu();
  // timeout_seconds <= 0: no limit.
  RunOutcome run(double timeout_seconds);
  const Stats& stats() const;

private:
  std::unique_ptr<Engine> engine_;
};

// Exit statuses of a run that no guest chose.
namespace exit_status {
constexpr int kHalted = 0;       // guest halted with nothing left to wake it
constexpr int kGuestDied = 2;    // unsupported/undefined instruction, triple fault, ...
constexpr int kTimeout = 124;
}  // namespace exit_status

// Registers, flags, segments, control and table registers, for reports.
std::string dump_state(const CpuState& cpu);

}  // namespace bt86
