#include "kvm_events.h"

namespace bt86 {

VcpuEvents vcpu_events(const KvmVcpu& vcpu) {
  kvm_vcpu_events e{};
  vcpu.ioctl_or_throw(KVM_GET_VCPU_EVENTS, &e, "KVM_GET_VCPU_EVENTS");
  VcpuEvents v;
  v.interrupt_queued = e.interrupt.injected;
  v.other_pending = e.exception.injected || e.exception.pending || e.nmi.injected || e.nmi.pending ||
                    e.interrupt.shadow;
  return v;
}

void inject_interrupt(const KvmVcpu& vcpu, uint8_t vector) {
  kvm_interrupt irq{};
  irq.irq = vector;
  vcpu.ioctl_or_throw(KVM_INTERRUPT, &irq, "KVM_INTERRUPT");
}

void inject_nmi(const KvmVcpu& vcpu) { vcpu.ioctl_or_throw(KVM_NMI, nullptr, "KVM_NMI"); }

}  // namespace bt86
