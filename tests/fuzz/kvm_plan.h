// What the KVM side may run on this host: whether it can run the cases at
// all, decided from bt86's KVM probe (bt86/kvm/kvm_probe.h), and which
// instructions the generator must leave out (kvm_probes.h). Every decision
// comes with a line saying why.
#pragma once
#include <asmjit/x86.h>

#include <string>
#include <vector>

#include "bt86/kvm/kvm_probe.h"

namespace bt86::fuzz {

struct KvmPlan {
  std::string skip;                          // non-empty: no KVM side here, and why
  std::vector<asmjit::InstId> excluded;      // for GeneratorOptions::excluded
  bool x87 = true, sse = true;               // whole families (GeneratorOptions)
  std::vector<std::string> notes;            // one line per probe that shaped the plan
  KvmCapabilities capabilities;              // what the plan was made from
};

// Whether to skip, and notes on the probes that matter to the fuzzer.
KvmPlan plan_kvm(const KvmCapabilities& caps);

}  // namespace bt86::fuzz
