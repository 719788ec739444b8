#include "kvm_plan.h"

#include <fmt/format.h>

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
  if (!caps.usable) {
    plan.skip = "KVM is not usable here: " + caps.unusable_reason;
    return plan;
  }
  if (!caps.works("protected-32")) {
    plan.skip = "this KVM cannot run unpaged 32-bit protected mode: " + failure(caps, "protected-32");
    return plan;
  }
  if (!caps.works("iretd"))
    plan.notes.push_back("probe iretd fails (" + failure(caps, "iretd") + "): not needed, no handler returns");
  if (!caps.works("native-speed"))
    plan.notes.push_back("probe native-speed fails (" + failure(caps, "native-speed") +
                         "): KVM's differences from native are its emulator's, not the CPU's");
  return plan;
}

}  // namespace bt86::fuzz
