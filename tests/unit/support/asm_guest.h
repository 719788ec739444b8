// Test support: a tiny flat protected-mode guest assembled with AsmJit (32-bit
// x86) at kCode, run on the BT backend of a small Machine.
#pragma once
#include <asmjit/x86.h>

#include <cstring>
#include <functional>

#include "bt86/bt/bt_cpu.h"
#include "bt86/host/machine.h"

namespace bt86::test {

struct AsmGuest {
  static constexpr uint32_t kCode = 0x00100000, kStack = 0x00090000, kData = 0x00080000;

  Machine machine{MachineConfig{16u << 20, [](uint8_t) {}}};

  // Assembles body at kCode and sets up flat CPL 0 protected mode at it.
  // `labels`, if given, receives the addresses of the body's labels.
  void load(const std::function<void(asmjit::x86::Assembler&)>& body) {
    asmjit::CodeHolder code;
    code.init(asmjit::Environment(asmjit::Arch::kX86), kCode);
    asmjit::x86::Assembler a(&code);
    body(a);
    code.flatten();
    code.relocateToBase(kCode);
    const asmjit::Section* text = code.textSection();
    std::memcpy(machine.ram.host(kCode), text->data(), text->bufferSize());
    CpuState& cpu = machine.cpu;
    cpu.cr0 = cr0::kPE | cr0::kET;
    load_flat(cpu.seg[kCs], 0x08, true);
    for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) load_flat(cpu.seg[s], 0x10, false);
    cpu.gpr[kEsp] = kStack;
    cpu.eip = kCode;
  }
  GuestContext context() { return {machine.cpu, machine.ram, machine.io, machine.mmio, machine.control}; }
  uint32_t ram32(uint32_t at) const {
    uint32_t v;
    std::memcpy(&v, machine.ram.host(at), 4);
    return v;
  }
  // `mov eax, 0; out 0xF4, al`: the run ends with status 1.
  static void exit_ok(asmjit::x86::Assembler& a) {
    a.mov(asmjit::x86::eax, 0);
    a.out(0xF4, asmjit::x86::al);
  }
};

}  // namespace bt86::test
