#include "kvm_insn.h"

#include <Zydis/Zydis.h>
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

std::string disassemble(const uint8_t* code, size_t len, bool code32, uint32_t eip, size_t& insn_len) {
  ZydisDecoder decoder;
  if (code32)
    ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
  else
    ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
  ZydisDecodedInstruction info;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (ZYAN_FAILED(ZydisDecoderDecodeFull(&decoder, code, len, &info, ops))) return {};
  ZydisFormatter formatter;
  ZydisFormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  char text[128];
  if (ZYAN_FAILED(ZydisFormatterFormatInstruction(&formatter, &info, ops, info.operand_count_visible, text,
                                                  sizeof text, eip, nullptr)))
    return {};
  insn_len = info.length;
  return text;
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
  std::string where = cpu.seg[kCs].base ? fmt::format("EIP={:#010x} (linear {:#010x})", cpu.eip, linear)
                                        : fmt::format("EIP={:#010x}", cpu.eip);
  if (!len) return fmt::format("an instruction outside RAM at {}", where);
  size_t insn_len = 0;
  std::string text = disassemble(code, len, cpu.code32(), cpu.eip, insn_len);
  size_t shown = text.empty() ? std::min<size_t>(len, 4) : insn_len;
  std::string hex;
  for (size_t i = 0; i < shown; ++i) hex += fmt::format("{}{:02x}", i ? " " : "", code[i]);
  if (text.empty()) return fmt::format("an undecodable instruction ({}...) at {}", hex, where);
  return fmt::format("'{}' ({}) at {}", text, hex, where);
}

}  // namespace bt86
