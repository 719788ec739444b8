// The vCPU a run asks for: one backend, or two taking turns
// (--switch-every).
#pragma once
#include <memory>
#include <string>

#include "bt86/host/backend_switch.h"
#include "bt86/vcpu/guest_context.h"
#include "bt86/vcpu/vcpu.h"

namespace bt86 {

struct BackendChoice {
  std::string backend = "bt";  // "bt" or "kvm": the only one, or the first to run
  bool switching = false;      // bt86 and KVM take turns, by `policy`
  SwitchPolicy policy = {};    // (start_on_second is taken from `backend`)
};

// Throws KvmError where KVM is asked for and cannot run.
std::unique_ptr<Vcpu> make_vcpu(const BackendChoice& choice, GuestContext context);

}  // namespace bt86
