#include "bt86/kvm/kvm_gate.h"

#include <fmt/format.h>

namespace bt86 {

namespace {
const KvmModeResult* find_probe(const KvmCapabilities& caps, std::string_view name) {
  for (const KvmModeResult& m : caps.modes)
    if (m.name == name) return &m;
  return nullptr;
}
}  // namespace

std::string kvm_skip_reason(const KvmCapabilities& caps, std::span<const std::string_view> needs) {
  if (!caps.usable) return "KVM is not usable here: " + caps.unusable_reason;
  for (std::string_view need : needs) {
    const KvmModeResult* probe = find_probe(caps, need);
    if (!probe) return fmt::format("no KVM probe is called '{}'", need);
    if (!probe->ok)
      return fmt::format("this KVM cannot run what the test needs: probe {} ({}) fails: {}", probe->name,
                         probe->description, probe->failure);
  }
  return {};
}

std::string kvm_not_an_oracle(const KvmCapabilities& caps) {
  if (!caps.usable) return "KVM is not usable here: " + caps.unusable_reason;
  const KvmModeResult* probe = find_probe(caps, kNativeSpeedProbe);
  if (probe && probe->ok) return {};
  return fmt::format("KVM is no oracle here: probe {} fails ({}), so its disagreements with the CPU or "
                     "with bt86 are its emulator's, not bt86's failures",
                     kNativeSpeedProbe, probe ? probe->failure : "not run");
}

std::vector<std::string_view> split_probe_names(std::string_view list) {
  std::vector<std::string_view> names;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    if (!name.empty() && name != "-") names.push_back(name);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return names;
}

}  // namespace bt86
