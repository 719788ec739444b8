// Names of KVM exit reasons and internal-error sub-reasons, as used in
// --stats ("exits": {"io": ..., "hlt": ...}) and in error messages.
#pragma once
#include <cstdint>
#include <string>

namespace bt86 {

std::string kvm_exit_name(uint32_t reason);
std::string kvm_internal_error_name(uint32_t suberror);

}  // namespace bt86
