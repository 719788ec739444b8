// A debugger's stops on the BT backend (RunLimits::debug): breakpoints by
// translation (before the instruction, and after the set changed under code
// already translated), steps of one instruction (an int n step ends at its
// handler), watchpoints by page protection (after the accessing
// instruction), and Vcpu::interrupt from another thread.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "asm_guest.h"

using namespace bt86;
namespace ax = asmjit::x86;

namespace {

struct Debugged : test::AsmGuest {
  BtCpu vcpu{context()};
  RunOutcome run(const DebugRequest& request) {
    RunLimits limits{10.0};
    limits.debug = &request;
    return vcpu.run(limits);
  }
};

ax::Mem dword_at(uint32_t addr) { return ax::dword_ptr(static_cast<uint64_t>(addr)); }

}  // namespace

TEST_CASE_METHOD(Debugged, "debugger: a breakpoint stops before its instruction, and only while set", "[debug]") {
  uint32_t at = 0;
  load([&](ax::Assembler& a) {
    a.mov(ax::eax, 1);
    a.mov(ax::ebx, 2);  // the breakpoint (5 bytes in)
    a.mov(ax::ecx, 3);
    exit_ok(a);
  });
  at = kCode + 5;
  RunOutcome out = run({{at}});
  REQUIRE(out.exit_status == exit_status::kDebugStop);
  CHECK(out.debug_stop.reason == DebugStop::Reason::kBreakpoint);
  CHECK(out.debug_stop.address == at);
  CHECK(machine.cpu.eip == at);
  CHECK(machine.cpu.gpr[kEax] == 1);
  CHECK(machine.cpu.gpr[kEbx] == 0);
  CHECK(*machine.ram.host(at) == 0xBB);  // the guest's code, not int3
  out = run({});
  CHECK(out.exit_status == 1);
  CHECK(machine.cpu.gpr[kEbx] == 2);
}

TEST_CASE_METHOD(Debugged, "debugger: a breakpoint set in code already translated stops there", "[debug]") {
  load([](ax::Assembler& a) {
    asmjit::Label loop = a.newLabel();
    a.mov(ax::ecx, 100);  // 5 bytes
    a.bind(loop);
    a.add(ax::eax, 1);    // kCode + 5
    a.add(ax::ebx, 2);    // kCode + 8
    a.dec(ax::ecx);       // kCode + 11
    a.jnz(loop);          // kCode + 12
    exit_ok(a);           // kCode + 14
  });
  // The loop runs (and is translated) while the only breakpoint is past it.
  RunOutcome out = run({{kCode + 14}});
  REQUIRE(out.exit_status == exit_status::kDebugStop);
  CHECK(machine.cpu.gpr[kEax] == 100);
  // Again from the start, with a breakpoint inside the translated loop.
  machine.cpu.eip = kCode;
  out = run({{kCode + 8}});
  REQUIRE(out.exit_status == exit_status::kDebugStop);
  CHECK(out.debug_stop.address == kCode + 8);
  CHECK(machine.cpu.eip == kCode + 8);
  CHECK(machine.cpu.gpr[kEax] == 101);
  CHECK(machine.cpu.gpr[kEbx] == 200);
}

TEST_CASE_METHOD(Debugged, "debugger: a step runs one instruction; int n steps into its handler", "[debug]") {
  constexpr uint32_t kIdt = kData, kHandler = kCode + 0x800;
  load([](ax::Assembler& a) {
    a.mov(ax::eax, 7);   // 5 bytes
    a.inc(ax::eax);      // 1 byte
    a.int_(0x40);        // 2 bytes, at kCode + 6
    exit_ok(a);
  });
  // IDT entry 0x40: a 32-bit interrupt gate to kHandler, which holds `iret`.
  const uint64_t gate = (uint64_t{kHandler >> 16} << 48) | (uint64_t{0x8E00} << 32) | (0x08u << 16) | (kHandler & 0xFFFF);
  std::memcpy(machine.ram.host(kIdt + 0x40 * 8), &gate, 8);
  // A GDT with the flat code and data segments the delivery loads.
  constexpr uint32_t kGdt = kData + 0x800;
  const uint64_t gdt[3] = {0, 0x00CF9B000000FFFFull, 0x00CF93000000FFFFull};
  std::memcpy(machine.ram.host(kGdt), gdt, sizeof gdt);
  machine.cpu.gdtr = {kGdt, sizeof gdt - 1};
  *machine.ram.host(kHandler) = 0xCF;
  machine.cpu.idtr = {kIdt, 0x7FF};
  RunOutcome out = run({{}, {}, true});
  REQUIRE(out.exit_status == exit_status::kDebugStop);
  CHECK(out.debug_stop.reason == DebugStop::Reason::kStep);
  CHECK(machine.cpu.eip == kCode + 5);
  CHECK(machine.cpu.gpr[kEax] == 7);
  out = run({{}, {}, true});
  CHECK(machine.cpu.eip == kCode + 6);
  CHECK(machine.cpu.gpr[kEax] == 8);
  out = run({{}, {}, true});
  REQUIRE(out.exit_status == exit_status::kDebugStop);
  CHECK(machine.cpu.eip == kHandler);  // delivered, not yet run
  CHECK(ram32(kStack - 12) == kCode + 8);  // the frame's return address: past the int
  out = run({{}, {}, true});
  CHECK(machine.cpu.eip == kCode + 8);  // the iret
  CHECK((machine.cpu.eflags & eflags::kTF) == 0);
  CHECK(run({}).exit_status == 1);
}

TEST_CASE_METHOD(Debugged, "debugger: a write watchpoint stops after the writing instruction", "[debug]") {
  load([](ax::Assembler& a) {
    a.mov(ax::eax, dword_at(kData + 0x100));  // a read of the watched word: no stop for a write watchpoint
    a.mov(dword_at(kData + 0x104), 5);        // 10 bytes at kCode + 5: the watched write
    a.mov(ax::ebx, 1);
    exit_ok(a);
  });
  const Watchpoint w{kData + 0x104, 4, WatchKind::kWrite};
  RunOutcome out = run({{}, {w}});
  REQUIRE(out.exit_status == exit_status::kDebugStop);
  CHECK(out.debug_stop.reason == DebugStop::Reason::kWatchpoint);
  CHECK(out.debug_stop.address == kData + 0x104);
  CHECK(out.debug_stop.access == WatchKind::kWrite);
  CHECK(machine.cpu.eip == kCode + 15);
  CHECK(ram32(kData + 0x104) == 5);
  CHECK(machine.cpu.gpr[kEbx] == 0);
  CHECK(run({{}, {w}}).exit_status == 1);  // nothing else writes it
  CHECK(machine.cpu.gpr[kEbx] == 1);
}

TEST_CASE_METHOD(Debugged, "debugger: a read watchpoint sees a push's neighbour untouched and a pop's read", "[debug]") {
  load([](ax::Assembler& a) {
    a.mov(ax::esp, kData + 0x208);
    a.push(ax::ebx);  // writes kData + 0x204: not watched for reads
    a.pop(ax::ecx);   // reads it
    a.mov(ax::esp, kStack);
    exit_ok(a);
  });
  RunOutcome out = run({{}, {{kData + 0x204, 4, WatchKind::kRead}}});
  REQUIRE(out.exit_status == exit_status::kDebugStop);
  CHECK(out.debug_stop.access == WatchKind::kRead);
  CHECK(machine.cpu.eip == kCode + 7);  // after the pop
}

TEST_CASE_METHOD(Debugged, "debugger: interrupt() from another thread stops a guest in an endless loop", "[debug]") {
  load([](ax::Assembler& a) {
    asmjit::Label self = a.newLabel();
    a.bind(self);
    a.jmp(self);
  });
  std::thread stopper([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    vcpu.interrupt();
  });
  RunOutcome out = run({});
  stopper.join();
  REQUIRE(out.exit_status == exit_status::kDebugStop);
  CHECK(out.debug_stop.reason == DebugStop::Reason::kInterrupted);
  CHECK(machine.cpu.eip == kCode);
}
