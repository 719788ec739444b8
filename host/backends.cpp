#include "bt86/host/backends.h"

#include "bt86/bt/bt_cpu.h"
#include "bt86/kvm/kvm_cpu.h"

namespace bt86 {

std::unique_ptr<Vcpu> make_vcpu(const BackendChoice& choice, GuestContext context) {
  if (choice.switching) {
    SwitchPolicy policy = choice.policy;
    policy.start_on_second = choice.backend == "kvm";
    return std::make_unique<BackendSwitcher>(std::make_unique<BtCpu>(context), std::make_unique<KvmCpu>(context),
                                             policy);
  }
  if (choice.backend == "kvm") return std::make_unique<KvmCpu>(context);
  return std::make_unique<BtCpu>(context);
}

}  // namespace bt86
