#include "kvm_gate.h"

#include <fmt/format.h>

#include "bt86/suite/process.h"

namespace bt86::suite {

namespace {
constexpr int kSkipped = 77;  // kvm-probe's "cannot here", with a line "SKIPPED: why"
constexpr std::string_view kSkippedPrefix = "SKIPPED: ";
constexpr double kProbeSeconds = 120;
}  // namespace

std::string KvmGate::probe(const std::string& flag, const std::string& value) {
  std::vector<std::string> argv{bt86_, "kvm-probe", flag};
  if (!value.empty()) argv.push_back(value);
  ChildEnd end;
  std::string out = run_captured(argv, kProbeSeconds, end);
  if (end.kind == ChildEnd::Kind::kExited && end.code == 0) return {};
  if (end.kind == ChildEnd::Kind::kExited && end.code == kSkipped) {
    size_t at = out.rfind(kSkippedPrefix);
    if (at != std::string::npos) {
      std::string why = out.substr(at + kSkippedPrefix.size());
      return why.substr(0, why.find('\n'));
    }
  }
  return fmt::format("bt86 kvm-probe {} {} did not answer (exit status {}){}", flag, value, end.code,
                     end.error.empty() ? "" : ": " + end.error);
}

const std::string& KvmGate::cannot_run(const std::string& needs) {
  auto it = needs_.find(needs);
  if (it == needs_.end()) it = needs_.emplace(needs, probe("--needs", needs.empty() ? "-" : needs)).first;
  return it->second;
}

const std::string& KvmGate::no_oracle() {
  if (!oracle_) oracle_ = probe("--oracle", "");
  return *oracle_;
}

}  // namespace bt86::suite
