// The KVM backend's run loop: load the CPU state into the vCPU, KVM_RUN,
// hand port I/O and MMIO exits to the machine's buses, and turn every other
// exit into the same outcomes the BT backend reports.
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
#include "kvm_exit_names.h"
#include "kvm_insn.h"
#include "vcpu_watchdog.h"

namespace bt86 {

class KvmCpu::Impl {
public:
  Impl(GuestContext c, const KvmOptions& options)
      : cpu_(c.cpu), ram_(c.ram), io_(c.io), mmio_(c.mmio), control_(c.control), vcpu_(vm_) {
    vm_.map_ram(ram_);
    set_guest_cpuid(vcpu_, options.extra_cpuid_leaf1_edx);
  }

  RunOutcome run(double timeout_seconds);
  const Stats& stats() const { return stats_; }

private:
  void handle_io();
  void handle_mmio();
  // Completes an I/O or MMIO access KVM still has in flight (without
  // running further guest code) and copies the vCPU state to cpu_.
  void sync_state();
  RunOutcome guest_died(const std::string& why);
  std::string internal_error();

  CpuState& cpu_;
  GuestRam& ram_;
  Bus& io_;
  Bus& mmio_;
  RunControl& control_;
  KvmVm vm_;
  KvmVcpu vcpu_;
  Stats stats_;
  bool access_in_flight_ = false;
  std::atomic<bool> timed_out_{false};
};

void KvmCpu::Impl::handle_io() {
  const auto& io = vcpu_.run()->io;
  // String I/O (rep ins/outs) arrives as `count` elements of `size` bytes.
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

void KvmCpu::Impl::sync_state() {
  if (access_in_flight_) {
    kvm_run* r = vcpu_.run();
    r->immediate_exit = 1;
    ::ioctl(vcpu_.fd(), KVM_RUN, 0);  // returns EINTR once the access is complete
    r->immediate_exit = 0;
    access_in_flight_ = false;
  }
  from_kvm(vcpu_, cpu_);
}

RunOutcome KvmCpu::Impl::guest_died(const std::string& why) {
  return {exit_status::kGuestDied, why + "\n" + dump_state(cpu_)};
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

RunOutcome KvmCpu::Impl::run(double timeout_seconds) {
  auto start = std::chrono::steady_clock::now();
  auto finish = [&](RunOutcome outcome) {
    stats_.run_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
  };
  kvm_run* r = vcpu_.run();
  r->immediate_exit = 0;
  timed_out_ = false;
  try {
    to_kvm(cpu_, vcpu_);
  } catch (const KvmError& e) {
    return finish(guest_died(fmt::format("KVM refuses the guest's CPU state: {}", e.what())));
  }
  cpu_.halted = false;
  VcpuWatchdog watchdog(timeout_seconds, r, timed_out_);

  for (;;) {
    if (control_.exit_status) {
      sync_state();
      return finish({*control_.exit_status, control_.reason});
    }
    if (timed_out_) {
      sync_state();
      return finish({exit_status::kTimeout, fmt::format("timeout after {} s", timeout_seconds)});
    }
    if (::ioctl(vcpu_.fd(), KVM_RUN, 0) < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        ++stats_.exits["intr"];
        continue;
      }
      std::string why = std::strerror(errno);
      from_kvm(vcpu_, cpu_);
      return finish(guest_died(fmt::format("KVM_RUN failed: {}", why)));
    }
    access_in_flight_ = false;
    ++stats_.exits[kvm_exit_name(r->exit_reason)];
    switch (r->exit_reason) {
      case KVM_EXIT_IO:
        handle_io();
        access_in_flight_ = true;
        break;
      case KVM_EXIT_MMIO:
        handle_mmio();
        access_in_flight_ = true;
        break;
      case KVM_EXIT_HLT:
        // Nothing can interrupt the guest yet (no interrupt controller), so
        // a halt is final, as in the BT backend.
        sync_state();
        cpu_.halted = true;
        if (!(cpu_.eflags & eflags::kIF))
          return finish({exit_status::kHalted, fmt::format("guest halted with interrupts disabled at EIP={:#010x}", cpu_.eip)});
        return finish({exit_status::kHalted,
                       fmt::format("guest halted at EIP={:#010x} and no device can interrupt it", cpu_.eip)});
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
      case KVM_EXIT_INTR:
        break;
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
RunOutcome KvmCpu::run(double timeout_seconds) { return impl_->run(timeout_seconds); }
const Stats& KvmCpu::stats() const { return impl_->stats(); }

}  // namespace bt86
