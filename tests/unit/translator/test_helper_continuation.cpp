// A helper that ends its block (here iretd) goes on in the next block
// straight from the thunk when the run loop has nothing to do, and through
// the run loop when it must count instructions (a slice, the virtual
// clock): the guest's result is the same either way.
#include <catch2/catch.hpp>

#include <asmjit/x86.h>

#include <cstring>

#include "bt86/bt/bt_cpu.h"
#include "bt86/host/machine.h"

using namespace bt86;
namespace ax = asmjit::x86;

namespace {

constexpr uint32_t kGdt = 0x800, kCode = 0x00100000, kStack = 0x00090000;
constexpr uint32_t kRounds = 1000;

struct Result {
  uint32_t ecx, ebx, esi;
  uint64_t continuations;
};

// kRounds iretds to the next instruction with the arithmetic flags set in
// the image; after each, EBX += 3 and ESI += the flags pushfd sees.
Result run_iret_loop(const RunLimits& limits) {
  Machine machine(MachineConfig{16u << 20, [](uint8_t) {}});
  const uint64_t gdt[3] = {0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull};
  std::memcpy(machine.ram.host(kGdt), gdt, sizeof gdt);

  asmjit::CodeHolder code;
  code.init(asmjit::Environment(asmjit::Arch::kX86), kCode);
  ax::Assembler a(&code);
  asmjit::Label top = a.newLabel(), next = a.newLabel();
  a.mov(ax::ecx, kRounds);
  a.xor_(ax::ebx, ax::ebx);
  a.xor_(ax::esi, ax::esi);
  a.bind(top);
  a.push(asmjit::imm(0x8D7));  // CF PF AF ZF SF OF and the reserved bit 1
  a.push(asmjit::imm(0x08));
  a.lea(ax::eax, ax::ptr(next));
  a.push(ax::eax);
  a.iretd();
  a.bind(next);
  a.pushfd();
  a.pop(ax::edx);
  a.lea(ax::ebx, ax::ptr(ax::ebx, 3));  // keeps the flags for the next round's check
  a.and_(ax::edx, 0x8D5);
  a.add(ax::esi, ax::edx);
  a.dec(ax::ecx);
  a.jnz(top);
  a.mov(ax::eax, 0);
  a.out(0xF4, ax::al);
  code.flatten();
  code.relocateToBase(kCode);
  const asmjit::Section* text = code.textSection();
  std::memcpy(machine.ram.host(kCode), text->data(), text->bufferSize());

  CpuState& cpu = machine.cpu;
  cpu.gdtr = {kGdt, sizeof gdt - 1};
  cpu.cr0 = cr0::kPE | cr0::kET;
  load_flat(cpu.seg[kCs], 0x08, true);
  for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) load_flat(cpu.seg[s], 0x10, false);
  cpu.gpr[kEsp] = kStack;
  cpu.eip = kCode;
  BtCpu vcpu({cpu, machine.ram, machine.io, machine.mmio, machine.control});
  RunOutcome out = vcpu.run(limits);
  INFO(out.message);
  REQUIRE(out.exit_status == 1);
  return {cpu.gpr[kEcx], cpu.gpr[kEbx], cpu.gpr[kEsi], vcpu.stats().helper_continuations};
}

}  // namespace

TEST_CASE("helper continuation: iretd goes on in the next block without the run loop", "[continuation]") {
  RunLimits limits;
  limits.timeout_seconds = 10;
  const Result r = run_iret_loop(limits);
  CHECK(r.ecx == 0);
  CHECK(r.ebx == 3 * kRounds);
  CHECK(r.esi == 0x8D5 * kRounds);  // every iretd loaded its flags
  CHECK(r.continuations >= kRounds - 2);  // the first round translates the block after it
}

TEST_CASE("helper continuation: counting instructions goes through the run loop, with the same result",
          "[continuation]") {
  RunLimits limits;
  limits.timeout_seconds = 10;
  limits.slice_instructions = uint64_t{1} << 40;  // counts every block, never ends
  const Result r = run_iret_loop(limits);
  CHECK(r.ecx == 0);
  CHECK(r.ebx == 3 * kRounds);
  CHECK(r.esi == 0x8D5 * kRounds);
  CHECK(r.continuations == 0);
}
