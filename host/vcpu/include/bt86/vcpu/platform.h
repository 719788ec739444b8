// What a backend needs from the machine's devices beyond the buses: the
// interrupt controller, time, and input from the host. Every member may be
// absent (a machine without them runs, but nothing can interrupt it).
#pragma once
#include <functional>

#include "bt86/devices/clock.h"
#include "bt86/devices/pic8259_pair.h"
#include "bt86/vcpu/tracer.h"

namespace bt86 {

struct Platform {
  Pic8259Pair* pic = nullptr;
  EventQueue* events = nullptr;
  const Clock* clock = nullptr;
  // Set for deterministic runs: time then advances with guest work only.
  VirtualClock* virtual_clock = nullptr;
  // Set when guest time is apparent time: the same clock as `clock`, which
  // bt86's own work (code translation) is hidden from and which catches up
  // while the guest halts (see hidden_time.h).
  HostClock* apparent_clock = nullptr;
  // Readable when host input waits (e.g. the terminal); -1 if none (or no
  // more: input ended).
  std::function<int()> input_fd;
  // Moves waiting host input into the devices; called on the vCPU thread.
  std::function<void()> pump_input;
  // True while the devices can take input now (else waiting input is left
  // alone until they can: no busy wake-ups).
  std::function<bool()> wants_input;
  // True when the user asked to quit (Ctrl-A x).
  std::function<bool()> quit_requested;
  // Event tracing and the ring of the last interrupts (tracer.h); null: none.
  Tracer* tracer = nullptr;
};

}  // namespace bt86
