// Events a KVM vCPU holds that bt86's CpuState does not carry: interrupts
// and exceptions queued for delivery at the next entry, NMIs, and the
// one-instruction interrupt shadow of sti / mov ss. With our userspace PIC
// (no in-kernel irqchip) KVM_INTERRUPT queues the vector at once, so it
// shows here until the guest has taken it.
#pragma once
#include <cstdint>

#include "bt86/kvm/kvm_vm.h"

namespace bt86 {

struct VcpuEvents {
  bool interrupt_queued = false;  // KVM_INTERRUPT's vector not delivered yet
  bool other_pending = false;     // exception, NMI or interrupt shadow
  bool quiet() const { return !interrupt_queued && !other_pending; }
};

VcpuEvents vcpu_events(const KvmVcpu& vcpu);
// KVM_INTERRUPT: delivered at the next entry (the caller checked that the
// guest can take it: IF set, no shadow).
void inject_interrupt(const KvmVcpu& vcpu, uint8_t vector);
// KVM_NMI: queued; KVM delivers it when the guest is not handling one.
void inject_nmi(const KvmVcpu& vcpu);

}  // namespace bt86
