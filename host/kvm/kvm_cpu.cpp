// The KVM backend's run loop: load the CPU state into the vCPU, KVM_RUN,
// hand port I/O and MMIO exits to the machine's buses and MSR exits to the
// MSR model, inject the interrupts and NMIs of the machine's interrupt
// controller, sleep through guest halts until the next device event, and
// turn every other exit into the same outcomes the BT backend reports.
#include "bt86/kvm/kvm_cpu.h"

#include <sys/ioctl.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fmt/format.h>

#include "bt86/kvm/kvm_cpuid.h"
#include "bt86/kvm/kvm_state.h"
#include "bt86/vcpu/device_service.h"
#include "input_waker.h"
#include "kvm_events.h"
#include "kvm_exit_names.h"
#include "kvm_insn.h"
#include "kvm_memory.h"
#include "bt86/kvm/vcpu_kick.h"
#include "kvm_msrs.h"

namespace bt86 {

namespace {
using SteadyClock = std::chrono::steady_clock;
// While a slice waits for the vCPU to take an event it holds: re-check this often.
constexpr uint64_t kSettleNs = 50'000;

uint64_t ns_until(SteadyClock::time_point t, SteadyClock::time_point now) {
  if (t == SteadyClock::time_point::max()) return DeviceService::kNever;
  return t > now ? std::chrono::duration_cast<std::chrono::nanoseconds>(t - now).count() : 0;
}
}  // namespace

class KvmCpu::Impl {
public:
  Impl(GuestContext c, const KvmOptions& options)
      : cpu_(c.cpu), ram_(c.ram), io_(c.io), mmio_(c.mmio), control_(c.control), platform_(c.platform),
        vcpu_(vm_) {
    set_guest_cpuid(vcpu_, options.extra_cpuid_leaf1_edx);
    route_msrs_to_userspace(vm_);
  }

  RunOutcome run(const RunLimits& limits);
  const Stats& stats() const { return stats_; }
  void interrupt() {
    interrupt_requested_ = true;
    if (running_.load(std::memory_order_acquire)) VcpuKick::kick(vcpu_thread_);
  }

private:
  void handle_io();
  void handle_mmio();
  // Completes an I/O or MMIO access KVM still has in flight (without
  // running further guest code).
  void complete_access();
  // That, then the vCPU state into cpu_.
  void sync_state();
  RunOutcome guest_died(const std::string& why);
  std::string internal_error();
  bool interrupt_pending() const { return devices_.interrupt_pending(); }
  bool nmi_pending() const { return devices_.nmi_pending(); }
  // Where the vCPU is now, for a trace line (two ioctls: only when tracing).
  Tracer::Where where_now() const;

  CpuState& cpu_;
  GuestRam& ram_;
  Bus& io_;
  Bus& mmio_;
  RunControl& control_;
  Platform platform_;
  DeviceService devices_{platform_, cpu_};
  KvmVm vm_;
  KvmVcpu vcpu_;
  KvmMemoryMap memory_{vm_, ram_, platform_.routing};
  Stats stats_;
  bool access_in_flight_ = false;
  // hlt with IF set: the vCPU is not run until an interrupt is injected.
  bool halted_ = false;
  // Watches host input across runs (a thread: made once); it kicks the
  // vCPU thread while a run is on.
  std::unique_ptr<InputWaker> input_;
  pthread_t vcpu_thread_{};
  std::atomic<bool> running_{false};
  std::atomic<bool> interrupt_requested_{false};  // Vcpu::interrupt: end the run like a slice
  Tracer* const tracer_ = platform_.tracer;
  // What the tracer reads for device accesses: EIP and CPL as the last exit left them.
  CpuState trace_cpu_{};
};

Tracer::Where KvmCpu::Impl::where_now() const {
  kvm_regs regs{};
  kvm_sregs sregs{};
  vcpu_.ioctl_or_throw(KVM_GET_REGS, &regs, "KVM_GET_REGS");
  vcpu_.ioctl_or_throw(KVM_GET_SREGS, &sregs, "KVM_GET_SREGS");
  return {static_cast<uint32_t>(regs.rip), (sregs.cr0 & cr0::kPE) ? sregs.cs.selector & 3u : 0u};
}

void KvmCpu::Impl::handle_io() {
  const auto& io = vcpu_.run()->io;
  // String I/O (rep ins/outs) arrives as `count` elements of `size` bytes:
  // at most a page of them per exit (KVM's data page), so a huge ECX comes
  // back through the run loop, which looks at the clocks, page by page.
  uint8_t* data = reinterpret_cast<uint8_t*>(vcpu_.run()) + io.data_offset;
  for (uint32_t i = 0; i < io.count; ++i, data += io.size) {
    uint32_t value = 0;
    if (io.direction == KVM_EXIT_IO_OUT) {
      std::memcpy(&value, data, io.size);
      io_.write(io.port, io.size, value);
      if (control_.exit_status) break;  // isa-debug-exit: the rest never happens
    } else {
      value = io_.read(io.port, io.size);
      std::memcpy(data, &value, io.size);
    }
  }
}

void KvmCpu::Impl::handle_mmio() {
  auto& m = vcpu_.run()->mmio;
  // The buses take at most 4 bytes; an 8-byte access (movq, cmpxchg8b) is two.
  for (uint32_t off = 0; off < m.len; off += 4) {
    unsigned size = std::min<uint32_t>(4, m.len - off);
    uint32_t value = 0;
    if (m.is_write) {
      std::memcpy(&value, m.data + off, size);
      mmio_.write(m.phys_addr + off, size, value);
    } else {
      value = mmio_.read(m.phys_addr + off, size);
      std::memcpy(m.data + off, &value, size);
    }
  }
}

void KvmCpu::Impl::complete_access() {
  if (!access_in_flight_) return;
  kvm_run* r = vcpu_.run();
  r->immediate_exit = 1;
  ::ioctl(vcpu_.fd(), KVM_RUN, 0);  // returns EINTR once the access is complete
  r->immediate_exit = 0;
  access_in_flight_ = false;
}

void KvmCpu::Impl::sync_state() {
  complete_access();
  from_kvm(vcpu_, cpu_);
}

RunOutcome KvmCpu::Impl::guest_died(const std::string& why) {
  return {exit_status::kGuestDied, death_report(why, cpu_, tracer_)};
}

std::string KvmCpu::Impl::internal_error() {
  const kvm_run* r = vcpu_.run();
  uint32_t sub = r->internal.suberror;
  std::string bytes;
  if (sub == KVM_INTERNAL_ERROR_EMULATION && (r->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES))
    bytes.assign(reinterpret_cast<const char*>(r->emulation_failure.insn_bytes),
                 std::min<size_t>(r->emulation_failure.insn_size, sizeof r->emulation_failure.insn_bytes));
  std::string insn = describe_guest_instruction(vcpu_, ram_, cpu_, bytes);
  if (sub == KVM_INTERNAL_ERROR_EMULATION)
    return fmt::format("KVM cannot emulate the instruction {} (KVM_EXIT_INTERNAL_ERROR: emulation failure)", insn);
  return fmt::format("KVM internal error ({}) at {}", kvm_internal_error_name(sub), insn);
}

RunOutcome KvmCpu::Impl::run(const RunLimits& limits) {
  const auto start = SteadyClock::now();
  auto after = [&](double seconds) {
    return seconds > 0 ? start + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds))
                       : SteadyClock::time_point::max();
  };
  const auto timeout_at = after(limits.timeout_seconds);
  auto finish = [&](RunOutcome outcome) {
    running_ = false;
    if (input_) input_->rearm_input(-1);  // no input wake-ups until the next run
    cpu_.halted = halted_;
    stats_.run_seconds += std::chrono::duration<double>(SteadyClock::now() - start).count();
    return outcome;
  };
  kvm_run* r = vcpu_.run();
  r->immediate_exit = 0;
  if (tracer_) tracer_->set_cpu(&trace_cpu_);
  try {
    memory_.follow();  // bt86 may have run the guest, and moved the routing, since
    to_kvm(cpu_, vcpu_);
  } catch (const KvmError& e) {
    return finish(guest_died(fmt::format("KVM refuses the guest's CPU state or memory: {}", e.what())));
  }
  halted_ = cpu_.halted;
  // Until the first KVM_RUN returns, kvm_run's if_flag and
  // ready_for_interrupt_injection describe an older state: use cpu_'s IF
  // (a run starts at an instruction boundary with no interrupt shadow).
  bool window_known = false;
  VcpuKick kick(r);
  vcpu_thread_ = pthread_self();
  running_.store(true, std::memory_order_release);
  if (platform_.input_fd && platform_.clock && !platform_.virtual_clock && !input_)
    input_ = std::make_unique<InputWaker>([this] {
      if (running_.load(std::memory_order_acquire)) VcpuKick::kick(vcpu_thread_);
    });
  bool ending = false, entered_once = false;
  const auto slice_at = after(limits.slice_seconds);
  // KVM counts no instructions: an instruction slice ends at the first exit
  // the guest makes to us (its next device access or hlt), or at slice_at.
  const bool counted_slice = limits.slice_instructions > 0;

  for (;;) {
    if (control_.exit_status) {
      sync_state();
      return finish({*control_.exit_status, control_.reason});
    }
    auto now = SteadyClock::now();
    if (now >= timeout_at) {
      sync_state();
      return finish({exit_status::kTimeout, fmt::format("timeout after {} s", limits.timeout_seconds)});
    }
    if (devices_.quit_requested()) {
      sync_state();
      return finish({0, "quit (Ctrl-A x)"});
    }
    devices_.service(input_.get());
    if (now >= slice_at && (entered_once || halted_)) ending = true;  // every slice makes progress
    // A debugger's interrupt ends the run as a slice ends: with nothing
    // pending inside KVM that CpuState cannot carry.
    const bool interrupted = interrupt_requested_.load();
    if (interrupted) ending = true;
    if (ending) {
      complete_access();
      if (halted_ || vcpu_events(vcpu_).quiet()) {
        from_kvm(vcpu_, cpu_);
        if (interrupted && interrupt_requested_.exchange(false))
          return finish({exit_status::kDebugStop, "stopped for the debugger"});
        return finish({exit_status::kSliceEnded, "slice ended"});
      }
    }
    if (halted_) {
      if (!(window_known ? r->if_flag : cpu_.eflags & eflags::kIF)) {
        sync_state();
        return finish({exit_status::kHalted, fmt::format("guest halted with interrupts disabled at EIP={:#010x}", cpu_.eip)});
      }
      if (!devices_.has_interrupt_controller()) {
        sync_state();
        return finish({exit_status::kHalted,
                       fmt::format("guest halted at EIP={:#010x} and no device can interrupt it", cpu_.eip)});
      }
      if (!interrupt_pending() && !nmi_pending()) {
        // The kick signal (input, timers) also ends the sleep early.
        ++stats_.exits["halt_wait"];
        devices_.halt_wait(input_.get(), std::min(ns_until(slice_at, now), ns_until(timeout_at, now)));
        continue;
      }
      halted_ = false;  // the interrupt below wakes it
    }
    r->request_interrupt_window = 0;
    if (!ending && nmi_pending()) {  // KVM holds it back while the guest handles an NMI
      inject_nmi(vcpu_);
      devices_.acknowledge_nmi();
      ++stats_.exits["nmi"];
    }
    if (!ending && interrupt_pending()) {
      bool can_take = window_known ? r->ready_for_interrupt_injection && r->if_flag : (cpu_.eflags & eflags::kIF) != 0;
      if (can_take && !vcpu_events(vcpu_).interrupt_queued) {
        const uint8_t vector = devices_.acknowledge();
        if (tracer_) tracer_->interrupt(where_now(), Event{vector, std::nullopt, EventKind::kExternal});
        inject_interrupt(vcpu_, vector);
        ++stats_.exits["external_interrupt"];
      } else {
        r->request_interrupt_window = 1;  // exits with KVM_EXIT_IRQ_WINDOW_OPEN when it can
      }
    }
    // A device access just done may have moved the A20 gate or the PAM
    // routing: the next instruction sees the new slots.
    try {
      memory_.follow();
    } catch (const KvmError& e) {
      sync_state();
      return finish(guest_died(fmt::format("KVM refuses the guest's memory: {}", e.what())));
    }
    uint64_t slice_ns = ending ? kSettleNs : ns_until(slice_at, now);
    kick.kick_after(std::min({slice_ns, ns_until(timeout_at, now), devices_.ns_to_next_event()}));

    auto entered = SteadyClock::now();
    entered_once = true;
    int rc = ::ioctl(vcpu_.fd(), KVM_RUN, 0);
    int err = errno;
    kick.clear();
    window_known = true;
    if (platform_.virtual_clock)  // KVM counts no instructions: its guest time is the host time it ran
      platform_.virtual_clock->advance(
          std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - entered).count());
    if (rc < 0) {
      if (err == EINTR || err == EAGAIN) {
        ++stats_.exits["intr"];
        continue;
      }
      from_kvm(vcpu_, cpu_);
      return finish(guest_died(fmt::format("KVM_RUN failed: {}", std::strerror(err))));
    }
    access_in_flight_ = false;
    ++stats_.exits[kvm_exit_name(r->exit_reason)];
    if (tracer_ && tracer_->on(trace::kExit | trace::kIo)) {
      const Tracer::Where at = where_now();
      trace_cpu_.eip = at.eip;
      trace_cpu_.cr0 = at.cpl ? cr0::kPE : 0;
      trace_cpu_.seg[kCs].selector = static_cast<uint16_t>(at.cpl);
      if (tracer_->on(trace::kExit)) tracer_->exit(at, kvm_exit_name(r->exit_reason));
    }
    switch (r->exit_reason) {
      case KVM_EXIT_IO:
        handle_io();
        access_in_flight_ = true;
        ending |= counted_slice;
        break;
      case KVM_EXIT_MMIO:
        handle_mmio();
        access_in_flight_ = true;
        ending |= counted_slice;
        break;
      case KVM_EXIT_X86_RDMSR:
      case KVM_EXIT_X86_WRMSR:
        handle_msr_exit(*r, cpu_, devices_.local_apic());
        access_in_flight_ = true;  // KVM completes the instruction at the next entry
        break;
      case KVM_EXIT_HLT:
        // With the PIC in userspace KVM leaves halts to us: RIP is past the
        // hlt, and the vCPU stays out of KVM_RUN until an interrupt comes.
        halted_ = true;
        ending |= counted_slice;
        break;
      case KVM_EXIT_IRQ_WINDOW_OPEN:
      case KVM_EXIT_INTR:
        break;
      case KVM_EXIT_SHUTDOWN:
        sync_state();
        return finish(guest_died(fmt::format("triple fault (KVM_EXIT_SHUTDOWN) at {}",
                                             describe_guest_instruction(vcpu_, ram_, cpu_))));
      case KVM_EXIT_INTERNAL_ERROR:
        sync_state();
        return finish(guest_died(internal_error()));
      case KVM_EXIT_FAIL_ENTRY: {
        uint64_t reason = r->fail_entry.hardware_entry_failure_reason;
        sync_state();
        return finish(guest_died(
            fmt::format("KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY, hardware reason {:#x})", reason)));
      }
      default: {
        uint32_t reason = r->exit_reason;
        sync_state();
        return finish(guest_died(fmt::format("unexpected KVM exit '{}' ({}) at EIP={:#010x}", kvm_exit_name(reason),
                                             reason, cpu_.eip)));
      }
    }
  }
}

KvmCpu::KvmCpu(GuestContext context, KvmOptions options) : impl_(std::make_unique<Impl>(context, options)) {}
KvmCpu::~KvmCpu() = default;
RunOutcome KvmCpu::run(const RunLimits& limits) { return impl_->run(limits); }
void KvmCpu::interrupt() { impl_->interrupt(); }
Stats KvmCpu::stats() const { return impl_->stats(); }

}  // namespace bt86
