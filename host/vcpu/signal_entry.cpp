#include "bt86/vcpu/signal_entry.h"

#include <cerrno>
#include <system_error>

// The handler of each signal, indexed by number; read by the prologue.
extern "C" bt86::SignalHandler bt86_signal_handlers[_NSIG];
bt86::SignalHandler bt86_signal_handlers[_NSIG];

// Clears RFLAGS.AC (bit 18) and DF (bit 10) before any other instruction,
// then jumps to the handler with the kernel's arguments and stack as they
// were (rsp is back where it was: the handler sees a normal function entry).
asm(R"(
        .text
        .globl bt86_signal_entry
        .type bt86_signal_entry, @function
bt86_signal_entry:
        pushfq
        andq $~0x40400, (%rsp)
        popfq
        movslq %edi, %rax
        leaq bt86_signal_handlers(%rip), %r11
        jmpq *(%r11, %rax, 8)
        .size bt86_signal_entry, . - bt86_signal_entry
)");

namespace bt86 {

void install_signal_handler(int signo, SignalHandler handler, int flags, struct sigaction* old) {
  if (signo <= 0 || signo >= _NSIG) throw std::system_error(EINVAL, std::generic_category(), "signal number");
  __atomic_store_n(&bt86_signal_handlers[signo], handler, __ATOMIC_RELEASE);
  struct sigaction sa {};
  sa.sa_sigaction = bt86_signal_entry;
  sa.sa_flags = flags | SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  if (sigaction(signo, &sa, old) != 0)
    throw std::system_error(errno, std::generic_category(), "sigaction");
}

}  // namespace bt86
