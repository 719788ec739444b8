// The KVM side: the cases run in this process on a KvmCpu, in the same
// guest environment as the bt86 side (guest_setup.h). Handlers end in hlt,
// so no case needs iretd, which nested KVMs' emulators may lack.
#pragma once
#include <memory>

#include "bt86/kvm/kvm_cpu.h"
#include "guest_setup.h"

namespace bt86::fuzz {

class KvmRunner : public Runner {
public:
  // Throws KvmError where /dev/kvm is missing or refuses a VM.
  KvmRunner();
  ~KvmRunner() override;
  const char* name() const override { return "KVM"; }
  Outcome run(const Run& r) override;

private:
  std::unique_ptr<Machine> machine_;
  std::unique_ptr<KvmCpu> cpu_;
};

}  // namespace bt86::fuzz
