#include "kvm_runner.h"

namespace bt86::fuzz {

KvmRunner::KvmRunner() {
  machine_ = make_machine();
  // No platform: nothing can interrupt, so every hlt ends the run. One VM
  // serves every case: KVM_RUN loads the whole CpuState each time, and a
  // vCPU caches no translations (each run gets a fresh code slot anyway).
  cpu_ = std::make_unique<KvmCpu>(
      GuestContext{machine_->cpu, machine_->ram, machine_->io, machine_->mmio, machine_->control, Platform{}});
}

KvmRunner::~KvmRunner() = default;

Outcome KvmRunner::run(const Run& r) {
  load_guest(*machine_, r);
  return finish_run(*machine_, r, cpu_->run(10.0), "KVM");
}

}  // namespace bt86::fuzz
