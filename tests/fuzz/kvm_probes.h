// Hand-picked one-unit cases run on native and on KVM before a KVM
// campaign. An instruction this KVM cannot run (its emulator lacks it), or
// runs otherwise than the CPU, is left out of the random cases, and a line
// says which and why (KVM's message or the differences), so the campaign
// looks for what is not known yet. On a full KVM (bare-metal VT-x) every
// probe agrees and nothing is left out.
#pragma once
#include "kvm_plan.h"
#include "runner.h"

namespace bt86::fuzz {

// Adds what the probes find to plan (excluded, x87, sse, notes).
void probe_instructions(Runner& native, Runner& kvm, KvmPlan& plan);

}  // namespace bt86::fuzz
