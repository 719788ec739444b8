#include "kvm_exit_names.h"

#include <linux/kvm.h>

#include <fmt/format.h>

namespace bt86 {

std::string kvm_exit_name(uint32_t reason) {
  // Indexed by KVM_EXIT_* (linux/kvm.h), lower-case without the prefix.
  static const char* names[] = {
      "unknown", "exception", "io", "hypercall", "debug", "hlt", "mmio", "irq_window_open", "shutdown",
      "fail_entry", "intr", "set_tpr", "tpr_access", "s390_sieic", "s390_reset", "dcr", "nmi",
      "internal_error", "osi", "papr_hcall", "s390_ucontrol", "watchdog", "s390_tsch", "epr",
      "system_event", "s390_stsi", "ioapic_eoi", "hyperv", "arm_nisv", "x86_rdmsr", "x86_wrmsr",
      "dirty_ring_full", "ap_reset_hold", "x86_bus_lock", "xen", "riscv_sbi", "riscv_csr", "notify"};
  if (reason < sizeof names / sizeof *names) return names[reason];
  return fmt::format("exit_{}", reason);
}

std::string kvm_internal_error_name(uint32_t suberror) {
  switch (suberror) {
    case KVM_INTERNAL_ERROR_EMULATION: return "emulation failure";
    case KVM_INTERNAL_ERROR_SIMUL_EX: return "exception while delivering an exception";
    case KVM_INTERNAL_ERROR_DELIVERY_EV: return "exit while delivering an event";
    case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON: return "unexpected hardware exit reason";
    default: return fmt::format("sub-error {}", suberror);
  }
}

}  // namespace bt86
