// A helper that ends its block (here iretd) goes on in the next block
// straight from the thunk when the run loop has nothing to do, and through
// the run loop when it must count instructions (a slice, the virtual
// clock): the guest's result is the same either way.
#include <catch2/catch.hpp>

#include <cstring>

#include "asm_guest.h"

using namespace bt86;
namespace ax = asmjit::x86;

namespace {

constexpr uint32_t kGdt = 0x800;
constexpr uint32_t kRounds = 1000;

struct Result {
  uint32_t ecx, ebx, esi;
  uint64_t continuations;
};

// kRounds iretds to the next instruction with the arithmetic flags set in
// the image; after each, EBX += 3 and ESI += the flags pushfd sees.
Result run_iret_loop(const RunLimits& limits) {
  test::AsmGuest g;
  const uint64_t gdt[3] = {0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull};
  std::memcpy(g.machine.ram.host(kGdt), gdt, sizeof gdt);
  g.load([](ax::Assembler& a) {
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
    test::AsmGuest::exit_ok(a);
  });
  CpuState& cpu = g.machine.cpu;
  cpu.gdtr = {kGdt, sizeof gdt - 1};
  BtCpu vcpu(g.context());
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
