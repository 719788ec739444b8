#include "dispatch/host_faults.h"

#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstring>

#include "bt86/vcpu/signal_entry.h"
#include "dispatch/engine.h"
#include "dispatch/stubs.h"

namespace bt86 {

namespace {

thread_local Engine* tls_engine = nullptr;

// The host registers that hold guest EAX..EDI (ESP is in r8).
constexpr int kGuestGregs[8] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_R8, REG_RBP, REG_RSI, REG_RDI};

void write_str(const char* s) { [[maybe_unused]] auto n = write(STDERR_FILENO, s, strlen(s)); }

// Entered through bt86_signal_entry (signal_entry.h): AC and DF are clear
// here whatever the guest code it interrupted had set.
void on_fault(int signo, siginfo_t* info, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  greg_t* regs = uc->uc_mcontext.gregs;
  Engine* engine = tls_engine;
  auto pc = static_cast<uintptr_t>(regs[REG_RIP]);
  if (!engine || !engine->owns_host_pc(pc)) {
    // Not translated code: a bug in bt86 itself. Die loudly, not silently.
    write_str("bt86: internal error: host fault outside translated code\n");
    signal(signo, SIG_DFL);
    return;  // the instruction faults again, now fatally
  }
  bool write = signo == SIGSEGV && (regs[REG_ERR] & 2) != 0;
  // Most faults are the shadow filling itself: map and run the access again.
  if (signo == SIGSEGV && engine->try_hidden_fault(reinterpret_cast<uintptr_t>(info->si_addr), write)) return;
  CpuState& cpu = engine->cpu;
  for (unsigned i = 0; i < 8; ++i) cpu.gpr[i] = static_cast<uint32_t>(regs[kGuestGregs[i]]);
  auto host_flags = static_cast<uint32_t>(regs[REG_EFL]);
  cpu.eflags = (cpu.eflags & ~eflags::kHostLive) | (host_flags & eflags::kHostLive);
  engine->record_fault({signo, info->si_code, reinterpret_cast<uintptr_t>(info->si_addr), pc, write,
                        static_cast<int>(regs[REG_TRAPNO])});
  engine->frame().exit_info = exit_tag::kHostFault;
  regs[REG_RIP] = reinterpret_cast<greg_t>(engine->stubs().fault_exit);
  regs[REG_EFL] &= ~greg_t{eflags::kDF | eflags::kAC};  // the C++ side expects DF and AC clear
}

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
struct sigaction g_old[4];

}  // namespace

Engine* current_engine() { return tls_engine; }

FaultHandlerScope::FaultHandlerScope(Engine& engine) : previous_(tls_engine) {
  tls_engine = &engine;
  for (unsigned i = 0; i < 4; ++i) install_signal_handler(kSignals[i], on_fault, SA_NODEFER, &g_old[i]);
}

FaultHandlerScope::~FaultHandlerScope() {
  tls_engine = previous_;
  if (!previous_)
    for (unsigned i = 0; i < 4; ++i) sigaction(kSignals[i], &g_old[i], nullptr);
}

}  // namespace bt86
