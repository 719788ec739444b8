#include "kvm_plan.h"

#include <fmt/format.h>

#include "bt86/kvm/kvm_gate.h"

namespace bt86::fuzz {

namespace {

std::string failure(const KvmCapabilities& caps, std::string_view name) {
  for (const KvmModeResult& m : caps.modes)
    if (m.name == name) return m.failure;
  return "no such probe";
}

}  // namespace

KvmPlan plan_kvm(const KvmCapabilities& caps) {
  KvmPlan plan;
  plan.capabilities = caps;
  const std::string_view needs[] = {"protected-32"};
  plan.skip = kvm_skip_reason(caps, needs);
  if (!plan.skip.empty()) return plan;
  if (!caps.works("iretd"))
    plan.notes.push_back("probe iretd fails (" + failure(caps, "iretd") + "): not needed, no handler returns");
  if (std::string why = kvm_not_an_oracle(caps); !why.empty())
    plan.notes.push_back(why + "; differences found are reported, then the run is skipped");
  return plan;
}

}  // namespace bt86::fuzz
