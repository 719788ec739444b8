// How every signal handler of bt86 is installed. Guest code runs with some
// of the guest's state live in the host CPU: its DF, and its AC while CR0.AM,
// EFLAGS.AC and CPL 3 ask for alignment checks (docs/ARCHITECTURE.md,
// "Alignment checks"). Linux enters a handler with the interrupted code's
// AC (it clears only DF, TF and RF), so a handler that interrupts such code
// dies of the first misaligned access it makes, or that the dynamic linker
// makes for it while binding a symbol: SIGBUS, which once killed bt86 from
// its timer handler. So no handler is installed directly: each one runs
// behind bt86_signal_entry, a prologue that clears AC and DF and jumps to it.
//
// The x87/SSE control words need nothing here: Linux enters every handler
// with the FPU in its initial state (x87 control word 0x37F, MXCSR 0x1F80,
// the host's own) and gives the interrupted code its own back at sigreturn.
// tests/unit/host/test_host_entry.cpp checks all of it on the running kernel.
#pragma once
#include <signal.h>

namespace bt86 {

using SignalHandler = void (*)(int signo, siginfo_t* info, void* context);

// sigaction(signo) for `handler` behind the prologue, with `flags` plus
// SA_SIGINFO and an empty mask; the previous disposition goes to `old`.
// Throws std::system_error if sigaction fails.
void install_signal_handler(int signo, SignalHandler handler, int flags, struct sigaction* old = nullptr);

// The prologue: what sigaction reports for every handler installed above.
extern "C" void bt86_signal_entry(int signo, siginfo_t* info, void* context);

}  // namespace bt86
