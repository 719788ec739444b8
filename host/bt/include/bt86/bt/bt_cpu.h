// The BT backend's vCPU: the translator (translator/) behind the Vcpu
// interface.
#pragma once
#include "bt86/translator/translator.h"
#include "bt86/vcpu/vcpu.h"

namespace bt86 {

class BtCpu final : public Vcpu {
public:
  explicit BtCpu(GuestContext context) : translator_(context) {}
  using Vcpu::run;
  RunOutcome run(const RunLimits& limits) override { return translator_.run(limits); }
  std::string name() const override { return "bt"; }
  Stats stats() const override { return translator_.stats(); }
  bool counts_instructions() const override { return true; }
  void guest_memory_changed() override { translator_.forget_guest_memory(); }
  uint64_t instructions_run() const { return translator_.instructions_run(); }
  DebugAbilities debug_abilities() const override { return {true, true, true}; }
  void interrupt() override { translator_.interrupt(); }

private:
  Translator translator_;
};

}  // namespace bt86
