// Whether this host's KVM can run a guest, asked of `bt86 kvm-probe` (as
// the tests' tests/kvm_gate.sh does), each question once.
#pragma once
#include <map>
#include <optional>
#include <string>

namespace bt86::suite {

class KvmGate {
public:
  explicit KvmGate(std::string bt86) : bt86_(std::move(bt86)) {}
  // Empty when KVM runs what the probes `needs` ("protected-32,iretd"; ""
  // for none) need, else why not.
  const std::string& cannot_run(const std::string& needs);
  // Empty when KVM runs guest code on the CPU, so that its verdict on
  // instruction semantics counts; else why it does not (it emulates).
  const std::string& no_oracle();

private:
  std::string probe(const std::string& flag, const std::string& value);
  std::string bt86_;
  std::map<std::string, std::string> needs_;
  std::optional<std::string> oracle_;
};

}  // namespace bt86::suite
