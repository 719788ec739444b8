// The guest environment both in-process sides (bt86, KVM) run cases in:
// flat unpaged protected mode at CPL 0, an IDT whose gates each lead to a
// hlt of their own (no handler ever returns: no iretd needed), so the
// vector and the exception frame tell how a run ended.
#pragma once
#include <memory>
#include <string_view>

#include "bt86/host/machine.h"
#include "bt86/bt/bt_cpu.h"
#include "runner.h"

namespace bt86::fuzz {

// Guest addresses of the descriptor tables and the exception handlers.
inline constexpr uint32_t kGdt = 0x1000, kIdt = 0x1800, kHandlers = 0x2000;
inline constexpr uint32_t kVectors = 32;

// A machine for a side: 8 MiB of RAM, no devices that could interrupt,
// serial output dropped.
std::unique_ptr<Machine> make_machine();
// Writes the GDT, the IDT and the handlers into guest RAM and sets `m.cpu` to
// flat 32-bit protected mode at CPL 0 with the run's state.
void load_guest(Machine& m, const Run& r);
// Reads an ending at a handler's hlt back into an Outcome: pops the
// exception frame (error code, EIP, CS, EFLAGS) so ESP is as at the fault.
Outcome read_guest(Machine& m, const Run& r, uint32_t hlt_eip);
// The outcome of a backend's run: read_guest when it halted at the final
// hlt or a handler's, else kStopped (FUZZ_TIMEOUT on a timeout) with a note
// naming `side` and the backend's message.
Outcome finish_run(Machine& m, const Run& r, const RunOutcome& end, std::string_view side);

}  // namespace bt86::fuzz
