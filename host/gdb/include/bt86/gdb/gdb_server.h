// The gdb remote stub (--gdb tcp::PORT, -s; --wait-gdb, -S): serves gdb's
// remote serial protocol for the guest of one Vcpu, whichever backend that
// is. Registers are the CpuState and memory the RAM of the GuestContext,
// which hold the whole guest between runs (host/gdb/registers.h,
// debug_memory.h); breakpoints (Z0, Z1), watchpoints (Z2-Z4) and steps go
// to the Vcpu as RunLimits::debug when its backend can do them
// (Vcpu::debug_abilities), and are refused otherwise, so that gdb never
// falls back to writing int3 into guest memory. A guest runs until a stop
// of gdb's, a Ctrl-C from gdb, a new gdb connecting, or the end of its run.
//
// Addresses are linear: for the flat 32-bit kernels gdb debugs, what it
// calls them. In real and virtual-8086 mode gdb's PC is still EIP, not
// CS:IP (not translated for it yet).
#pragma once
#include <cstdint>
#include <memory>

#include "bt86/vcpu/guest_context.h"
#include "bt86/vcpu/run.h"
#include "bt86/vcpu/vcpu.h"

namespace bt86::gdb {

class Listener;

class GdbServer {
public:
  // Listens on the loopback interface; port 0: any free one. Throws
  // std::system_error when it cannot.
  explicit GdbServer(uint16_t port);
  ~GdbServer();
  uint16_t port() const;

  // Runs the guest under gdb's control until its run ends (the outcomes of
  // Vcpu::run; gdb is told the exit status). start_stopped: wait for gdb
  // first and hold the guest before its first instruction.
  // timeout_seconds bounds the time the guest runs (<= 0: no bound).
  RunOutcome run(Vcpu& vcpu, const GuestContext& context, double timeout_seconds, bool start_stopped);

private:
  std::unique_ptr<Listener> listener_;
};

}  // namespace bt86::gdb
