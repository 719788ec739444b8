// The KVM side: the same guest environment on /dev/kvm, where this host's
// KVM runs unpaged protected mode; nullptr (with the reason) where not.
#pragma once
#include <memory>
#include <string>

#include "runner.h"

namespace bt86::fuzz {

std::unique_ptr<Runner> make_kvm_runner(std::string& why_not);

}  // namespace bt86::fuzz
