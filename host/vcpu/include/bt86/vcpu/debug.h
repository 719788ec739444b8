// What a debugger (the gdb stub, host/gdb/) asks of a vCPU's run, and why a
// run stopped for it. Addresses are linear (segment base + offset: for a
// flat kernel, what gdb shows). A backend says which of these it can do
// (Vcpu::debug_abilities); the BT backend does them all by translation and
// page protection, without touching guest memory or the guest's own debug
// registers.
#pragma once
#include <cstdint>
#include <vector>

namespace bt86 {

enum class WatchKind : uint8_t { kWrite, kRead, kAccess };

struct Watchpoint {
  uint32_t linear;
  uint32_t length;  // bytes, at least 1
  WatchKind kind;
  bool operator==(const Watchpoint&) const = default;
  bool covers(uint32_t address, unsigned size) const {
    return uint64_t{address} + size > linear && address < uint64_t{linear} + length;
  }
};

struct DebugRequest {
  std::vector<uint32_t> breakpoints;  // stop before the instruction at each
  std::vector<Watchpoint> watchpoints;  // stop after the instruction that accessed one
  // Run one instruction, or deliver the interrupt due before it, and stop
  // at the next instruction the CPU would run (an exception or int n the
  // instruction raises is delivered first: the stop is at its handler).
  bool step = false;
};

struct DebugStop {
  enum class Reason : uint8_t { kBreakpoint, kWatchpoint, kStep, kInterrupted };
  Reason reason = Reason::kInterrupted;
  uint32_t address = 0;         // the breakpoint's, or the watched access's
  WatchKind access = WatchKind::kWrite;  // kWatchpoint: what the access did
};

struct DebugAbilities {
  bool breakpoints = false, watchpoints = false, step = false;
};

}  // namespace bt86
