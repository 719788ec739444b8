// Host-side entry points never run with the guest's AC, DF or x87/SSE control
// words. Guest code runs with them live in the host CPU (AC while CR0.AM,
// EFLAGS.AC and CPL 3 ask for alignment checks; DF always; its FPU state),
// so whatever host code can start while it runs must begin with the host's
// own: every signal handler (through bt86_signal_entry), the helper thunk
// and the exit stubs before any C++ code (device models, timers, the run
// loop). bt86 once died with SIGBUS because its timer handler ran with the
// guest's AC.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bt86/host/console.h"
#include "bt86/host/machine.h"
#include "bt86/bt/bt_cpu.h"
#include "bt86/vcpu/signal_entry.h"
#include "bt86/kvm/vcpu_kick.h"

using namespace bt86;

namespace {

constexpr uint64_t kAc = eflags::kAC, kDf = eflags::kDF;
constexpr uint32_t kHostMxcsr = 0x1F80, kGuestMxcsr = 0xEFC0;  // FTZ, toward zero, DAZ, PE unmasked
constexpr uint16_t kHostFcw = 0x037F, kGuestFcw = 0x0C5F;      // toward zero, single, PE unmasked

// What a piece of host code found in the CPU when it ran.
struct HostState {
  uint64_t rflags;
  uint32_t mxcsr;
  uint16_t fcw;
};

HostState observe() {
  HostState s{};
  __asm__ volatile("pushfq; popq %0" : "=r"(s.rflags));
  __asm__ volatile("stmxcsr %0; fnstcw %1" : "=m"(s.mxcsr), "=m"(s.fcw));
  return s;
}

void check_host_state(const HostState& s, const char* where) {
  INFO(where << ": RFLAGS " << std::hex << s.rflags << " MXCSR " << s.mxcsr << " FCW " << s.fcw);
  CHECK((s.rflags & kAc) == 0);
  CHECK((s.rflags & kDf) == 0);
  CHECK((s.mxcsr & ~0x3Fu) == kHostMxcsr);  // the exception flags may be whatever host code left
  CHECK(s.fcw == kHostFcw);
}

volatile sig_atomic_t g_handled = 0;
HostState g_seen;

void record(int, siginfo_t*, void*) {
  g_seen = observe();
  g_handled = 1;
}

// Sets AC and DF and the guest's MXCSR and x87 control word, sends `signo`
// to this thread with a bare syscall (the kernel delivers it on the way
// back, so the handler interrupts exactly that state), then puts the host's
// back. Only aligned accesses happen while AC is set.
void raise_in_guest_state(int signo) {
  alignas(4) uint32_t guest_mxcsr = kGuestMxcsr, host_mxcsr = 0;
  alignas(2) uint16_t guest_fcw = kGuestFcw, host_fcw = 0;
  __asm__ volatile("stmxcsr %0; fnstcw %1" : "=m"(host_mxcsr), "=m"(host_fcw));
  long nr = SYS_tgkill;
  g_handled = 0;
  __asm__ volatile(
      "ldmxcsr %[gm]\n\t"
      "fldcw %[gc]\n\t"
      "pushfq\n\t"
      "orq $0x40400, (%%rsp)\n\t"
      "popfq\n\t"
      "syscall\n\t"
      "pushfq\n\t"
      "andq $~0x40400, (%%rsp)\n\t"
      "popfq\n\t"
      "ldmxcsr %[hm]\n\t"
      "fldcw %[hc]"
      : "+a"(nr)
      : "D"(static_cast<long>(getpid())), "S"(static_cast<long>(gettid())), "d"(static_cast<long>(signo)),
        [gm] "m"(guest_mxcsr), [gc] "m"(guest_fcw), [hm] "m"(host_mxcsr), [hc] "m"(host_fcw)
      : "rcx", "r11", "memory", "cc");
  REQUIRE(nr == 0);
  REQUIRE(g_handled);
}

using Dispositions = std::vector<struct sigaction>;

Dispositions dispositions() {
  Dispositions d(_NSIG);
  for (int s = 1; s < _NSIG; ++s) sigaction(s, nullptr, &d[s]);
  return d;
}

void* handler_of(const struct sigaction& sa) {
  return (sa.sa_flags & SA_SIGINFO) ? reinterpret_cast<void*>(sa.sa_sigaction) : reinterpret_cast<void*>(sa.sa_handler);
}

// Every signal whose handler changed since `before` (the test framework's
// own) must enter through the prologue, and so must those bt86 is known to
// handle.
void check_all_behind_prologue(const Dispositions& before, const Dispositions& now) {
  const auto entry = reinterpret_cast<void*>(&bt86_signal_entry);
  for (int s = 1; s < _NSIG; ++s) {
    if (handler_of(now[s]) == handler_of(before[s])) continue;
    if (now[s].sa_handler == SIG_DFL || now[s].sa_handler == SIG_IGN) continue;
    INFO("signal " << s << " (" << strsignal(s) << ") changed while bt86 ran");
    CHECK(handler_of(now[s]) == entry);
  }
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGRTMIN, VcpuKick::kSignal}) {
    INFO("signal " << s << " (" << strsignal(s) << ")");
    CHECK(handler_of(now[s]) == entry);
  }
}

// Records the host state every time the guest touches it: port 0x500 (an
// `out`, run by a C++ helper through the thunk) and MMIO at kMmio (a host
// fault in translated code, then the run loop). A read answers how many
// times the timer callback ran.
class Probe final : public Device {
public:
  std::string_view name() const override { return "host-state probe"; }
  uint32_t read(uint64_t, unsigned) override {
    seen.push_back(observe());
    return timer_runs;
  }
  void write(uint64_t, unsigned, uint32_t) override {
    seen.push_back(observe());
    if (!during_run) during_run = dispositions();
  }
  std::vector<HostState> seen;
  std::optional<Dispositions> during_run;
  uint32_t timer_runs = 0;
};

constexpr uint32_t kCode = 0x1000, kData = 0x3000, kMmio = 0xE0000000;

// DF and the guest's control words (and, at CPL 3 with CR0.AM and
// EFLAGS.AC, alignment checks), until the timer callback ran 5 times; then
// a misaligned load, which at CPL 3 must be #AC (there is no IDT: the guest
// dies of it, and the message names vector 17).
const uint8_t kGuest[] = {
    0x0F, 0xAE, 0x15, 0x00, 0x30, 0x00, 0x00,  // ldmxcsr [0x3000]
    0xD9, 0x2D, 0x04, 0x30, 0x00, 0x00,        // fldcw [0x3004]
    0xFD,                                      // std
    0x66, 0xBA, 0x00, 0x05,                    // mov dx, 0x500
    0xEE,                                      // top: out dx, al
    0xA1, 0x00, 0x00, 0x00, 0xE0,              // mov eax, [0xE0000000]
    0x83, 0xF8, 0x05,                          // cmp eax, 5
    0x72, 0xF5,                                // jb top
    0xA1, 0x01, 0x30, 0x00, 0x00,              // mov eax, [0x3001]: misaligned
    0xB0, 0x05,                                // mov al, 5
    0xE6, 0xF4,                                // out 0xf4, al (status 11; not reached at CPL 3)
};

}  // namespace

TEST_CASE("host entry: a handler entered from guest state starts with the host's flags and FPU control words",
          "[host_entry]") {
  const int signo = SIGRTMIN + 2;
  struct sigaction old {};
  SECTION("through bt86_signal_entry") {
    install_signal_handler(signo, record, 0, &old);
    raise_in_guest_state(signo);
    check_host_state(g_seen, "handler");
  }
  SECTION("the control: installed directly, a handler gets the guest's AC (Linux keeps it)") {
    struct sigaction sa {};
    sa.sa_sigaction = record;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(signo, &sa, &old) == 0);
    raise_in_guest_state(signo);
    CHECK((g_seen.rflags & kAc) != 0);
    CHECK((g_seen.rflags & kDf) == 0);  // the kernel clears DF for every handler
    CHECK(g_seen.mxcsr == kHostMxcsr);  // and enters it with the initial FPU state
    CHECK(g_seen.fcw == kHostFcw);
  }
  sigaction(signo, &old, nullptr);
}

namespace {

// Runs kGuest at CPL 3 with CR0.AM and EFLAGS.AC (user) or at CPL 0 (DF
// and the control words only), with a probe on port 0x500 and at kMmio and
// a timer callback every millisecond, and checks what each of them saw.
void run_probe_guest(bool user) {
  const Dispositions before = dispositions();
  Machine machine(MachineConfig{16u << 20, [](uint8_t) {}});
  kvm_run fake_run{};
  VcpuKick kick(&fake_run);  // the KVM backend's handler, installed for the process

  Probe probe;
  machine.io.map(0x500, 1, probe);
  machine.mmio.map(kMmio, 0x1000, probe);
  std::vector<HostState> at_timer;
  std::function<void()> tick = [&] {
    at_timer.push_back(observe());
    if (++probe.timer_runs < 5) machine.events.schedule(machine.clock().now_ns() + 1'000'000, tick);
  };
  machine.events.schedule(machine.clock().now_ns() + 1'000'000, tick);

  CpuState& cpu = machine.cpu;
  const uint64_t gdt[5] = {0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull, 0x00CFFA000000FFFFull,
                           0x00CFF2000000FFFFull};
  std::memcpy(machine.ram.host(0x800), gdt, sizeof gdt);
  cpu.gdtr = {0x800, sizeof gdt - 1};
  std::memcpy(machine.ram.host(kCode), kGuest, sizeof kGuest);
  const uint32_t control_words[2] = {kGuestMxcsr, kGuestFcw};
  std::memcpy(machine.ram.host(kData), control_words, sizeof control_words);
  cpu.cr0 = cr0::kPE | cr0::kET | cr0::kMP | cr0::kNE | cr0::kAM;
  cpu.cr4 = 1u << 9;  // OSFXSR
  const uint16_t code = user ? 0x18 | 3 : 0x08, data = user ? 0x20 | 3 : 0x10;
  load_flat(cpu.seg[kCs], code, true);
  for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) load_flat(cpu.seg[s], data, false);
  for (SegmentCache& s : cpu.seg) s.access |= static_cast<uint16_t>((code & 3) << 5);  // DPL
  cpu.gpr[kEsp] = 0x8000;
  cpu.eip = kCode;
  cpu.eflags = eflags::kFixed1 | eflags::kAC | eflags::kIOPL;

  BtCpu vcpu({cpu, machine.ram, machine.io, machine.mmio, machine.control, machine_platform(machine, nullptr)});
  RunOutcome out = vcpu.run(20.0);
  INFO(out.message);
  if (user) {  // the guest ran to its misaligned load, which the host CPU checked
    CHECK(out.exit_status == exit_status::kGuestDied);
    CHECK(out.message.find("vector 17") != std::string::npos);
  } else {     // no alignment checks at CPL 0: it ran on to isa-debug-exit
    CHECK(out.exit_status == ((5 << 1) | 1));
  }
  CHECK(probe.timer_runs == 5);
  REQUIRE(probe.seen.size() >= 10);
  for (const HostState& s : probe.seen) check_host_state(s, "device access (helper thunk, MMIO exit)");
  for (const HostState& s : at_timer) check_host_state(s, "timer callback (run loop after a safepoint exit)");
  REQUIRE(probe.during_run);
  check_all_behind_prologue(before, *probe.during_run);
}

}  // namespace

TEST_CASE("host entry: signal handlers, helpers, exits and timers never see the guest's AC, DF or control words",
          "[host_entry]") {
  SECTION("CPL 3 with CR0.AM and EFLAGS.AC: the guest's AC is live") { run_probe_guest(true); }
  SECTION("CPL 0: the guest's DF and control words") { run_probe_guest(false); }
}
