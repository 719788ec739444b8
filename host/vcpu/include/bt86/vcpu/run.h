// How a run of a vCPU is bounded and how it ends, the same for every
// backend.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "bt86/vcpu/debug.h"

namespace bt86 {

// Bounds one run so that the caller can move the guest to another backend
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
  // A debugger's breakpoints, watchpoints and step (debug.h); null: none.
  // The run then ends with exit_status::kDebugStop when one of them stops it.
  const DebugRequest* debug = nullptr;
};

struct RunOutcome {
  int exit_status;
  std::string message;  // why the run ended, for the user; with a state dump on guest death
  DebugStop debug_stop{};  // why, for exit_status::kDebugStop
};

// Exit statuses of a run that no guest chose.
namespace exit_status {
constexpr int kHalted = 0;       // guest halted with nothing left to wake it
constexpr int kGuestDied = 2;    // unsupported/undefined instruction, triple fault, ...
constexpr int kTimeout = 124;
constexpr int kSliceEnded = -1;  // RunLimits' slice is over; the guest goes on
// A debugger's stop (RunOutcome::debug_stop) or Vcpu::interrupt(): at an
// instruction boundary, the whole state in CpuState; the guest goes on.
constexpr int kDebugStop = -2;
}  // namespace exit_status

}  // namespace bt86
