#include "kvm_insn.h"

#include "bt86/segmentation/disassemble.h"

#include <sys/ioctl.h>

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace bt86 {

namespace {
// Paging off: KVM_TRANSLATE answers the identity; it only fails if the
// implementation lacks it, and then the identity is the best guess.
uint64_t to_physical(const KvmVcpu& vcpu, uint32_t linear) {
  kvm_translation t{};
  t.linear_address = linear;
  if (::ioctl(vcpu.fd(), KVM_TRANSLATE, &t) == 0 && t.valid) return t.physical_address;
  return linear;
}

}  // namespace

std::string describe_guest_instruction(const KvmVcpu& vcpu, const GuestRam& ram, const CpuState& cpu,
                                       const std::string& known_bytes) {
  uint8_t code[15] = {};
  size_t len = 0;
  uint32_t linear = cpu.seg[kCs].base + cpu.eip;
  if (!known_bytes.empty()) {
    len = std::min(known_bytes.size(), sizeof code);
    std::memcpy(code, known_bytes.data(), len);
  } else {
    uint64_t phys = to_physical(vcpu, linear);
    if (ram.contains(phys)) {
      len = std::min<uint64_t>(sizeof code, ram.size() - phys);
      std::memcpy(code, ram.host(phys), len);
    }
  }
  return describe_guest_code({code, len}, cpu);
}

}  // namespace bt86
