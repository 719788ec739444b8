// segmentation/interrupt_delivery.h and iret.h: events delivered through
// the guest IDT of a small protected-mode machine (tests/unit/support/
// system_machine.h): the frame an interrupt or trap gate leaves, the stack
// switch of a CPL change and the iret back, the gate's DPL for software
// interrupts only, faults while delivering (delivered instead, #DF, a #DF
// through a task gate as Linux takes it) and the triple fault; the
// privilege iret returns to.
#include <catch2/catch.hpp>

#include "bt86/segmentation/interrupt_delivery.h"
#include "bt86/segmentation/iret.h"
#include "system_machine.h"

using namespace bt86;
using namespace bt86::test;

namespace {

constexpr uint16_t kKernelCode = 0x08, kKernelData = 0x10, kUserCode = 0x1B, kUserData = 0x23, kTss = 0x28,
                   kDfTss = 0x30;
constexpr uint32_t kTssBase = 0x4000, kDfTssBase = 0x4100;
constexpr uint32_t kKernelStack = 0x9000, kUserStack = 0x7000, kDfStack = 0x6000;
constexpr uint32_t kFaultEip = 0x1234;
constexpr uint32_t kGpHandler = 0x5000, kDfHandler = 0x5800;
constexpr uint32_t kGateInterrupt = system_type::kInterruptGate32, kGateTrap = system_type::kTrapGate32;

// A flat kernel and user with a TSS whose ring-0 stack is kKernelStack;
// the machine runs at CPL 0 with ESP = kKernelStack - 0x100.
struct Machine : SystemMachine {
  Machine() {
    set_gdt(kKernelCode, segment_descriptor(0, 0xFFFFF, true, 0));
    set_gdt(kKernelData, segment_descriptor(0, 0xFFFFF, false, 0));
    set_gdt(kUserCode, segment_descriptor(0, 0xFFFFF, true, 3));
    set_gdt(kUserData, segment_descriptor(0, 0xFFFFF, false, 3));
    set_gdt(kTss, system_descriptor(system_type::kTss32Busy, kTssBase, 0x67));
    put32(kTssBase + 4, kKernelStack);  // ESP0
    put32(kTssBase + 8, kKernelData);   // SS0
    load_tr(kTss);
    at_cpl(0);
  }
  void at_cpl(unsigned cpl) {
    const uint16_t code = cpl ? kUserCode : kKernelCode, data = cpl ? kUserData : kKernelData;
    load(kCs, code);
    for (unsigned s : {kSs, kDs, kEs}) load(s, data);
    state.gpr[kEsp] = cpl ? kUserStack : kKernelStack - 0x100;
    state.eip = kFaultEip;
  }
  void gate(uint8_t vector, unsigned type, uint32_t handler, unsigned dpl = 0, bool present = true) {
    set_idt(vector, gate_descriptor(type, kKernelCode, handler, dpl, present));
  }
  // #DF through a task gate to a TSS of its own (as Linux i386 does), so
  // that it is delivered whatever state the stack is in.
  void double_fault_task() {
    set_gdt(kDfTss, system_descriptor(system_type::kTss32, kDfTssBase, 0x67));
    put32(kDfTssBase + 0x20, kDfHandler);  // EIP
    put32(kDfTssBase + 0x24, eflags::kFixed1);
    put32(kDfTssBase + 0x28 + kEsp * 4, kDfStack);
    const uint16_t segs[6] = {kKernelData, kKernelCode, kKernelData, kKernelData, 0, 0};
    for (unsigned s = 0; s < 6; ++s) put32(kDfTssBase + 0x48 + s * 4, segs[s]);
    set_idt(number(Vector::kDF), gate_descriptor(system_type::kTaskGate, kDfTss, 0, 0));
  }
};

Event gp(uint32_t code) { return Event::exception(Vector::kGP, code); }

}  // namespace

TEST_CASE("interrupt delivery: an exception through an interrupt gate at CPL 0", "[interrupt_delivery]") {
  Machine m;
  m.gate(number(Vector::kGP), kGateInterrupt, kGpHandler);
  const uint32_t flags = eflags::kFixed1 | eflags::kIF | eflags::kTF | eflags::kNT | eflags::kRF | eflags::kCF;
  m.state.eflags = flags;
  const uint32_t esp = m.state.gpr[kEsp];

  REQUIRE(deliver_event(m, gp(0x18)));
  CHECK(m.state.eip == kGpHandler);
  CHECK(m.state.seg[kCs].selector == kKernelCode);
  // No privilege change: the same stack, no SS:ESP in the frame.
  CHECK(m.state.seg[kSs].selector == kKernelData);
  REQUIRE(m.state.gpr[kEsp] == esp - 16);
  CHECK(m.stack(0) == 0x18);  // the error code
  CHECK(m.stack(1) == kFaultEip);  // a fault reports the instruction itself
  CHECK(m.stack(2) == kKernelCode);
  CHECK(m.stack(3) == flags);
  // An interrupt gate clears IF; every gate clears TF, NT and RF.
  CHECK(m.state.eflags == (eflags::kFixed1 | eflags::kCF));
  CHECK_FALSE(m.pending());
}

TEST_CASE("interrupt delivery: int 0x80 from CPL 3 switches to the TSS stack, iret returns to CPL 3",
          "[interrupt_delivery]") {
  Machine m;
  m.gate(0x80, kGateTrap, kGpHandler, /*dpl=*/3);
  m.at_cpl(3);
  m.state.eflags = eflags::kFixed1 | eflags::kIF | eflags::kZF;
  const uint32_t return_eip = kFaultEip + 2;

  REQUIRE(deliver_event(m, Event{0x80, std::nullopt, EventKind::kSoftware, return_eip}));
  CHECK(m.state.cpl() == 0);
  CHECK(m.state.eip == kGpHandler);
  CHECK(m.state.seg[kSs].selector == kKernelData);
  REQUIRE(m.state.gpr[kEsp] == kKernelStack - 20);
  CHECK(m.stack(0) == return_eip);  // a software interrupt returns past itself
  CHECK(m.stack(1) == kUserCode);
  CHECK(m.stack(2) == (eflags::kFixed1 | eflags::kIF | eflags::kZF));
  CHECK(m.stack(3) == kUserStack);
  CHECK(m.stack(4) == kUserData);
  CHECK(m.state.eflags & eflags::kIF);  // a trap gate keeps IF

  // The handler loads a kernel data segment into DS; iret back to CPL 3
  // pops SS:ESP and nulls it, since CPL 3 may not use it.
  m.load(kDs, kKernelData);
  m.state.eip = kGpHandler + 0x10;
  REQUIRE(iret(m, 4, kGpHandler + 0x11));
  CHECK_FALSE(m.pending());
  CHECK(m.state.cpl() == 3);
  CHECK(m.state.eip == return_eip);
  CHECK(m.state.gpr[kEsp] == kUserStack);
  CHECK(m.state.seg[kSs].selector == kUserData);
  CHECK(m.state.seg[kDs].selector == 0);
  CHECK(m.state.seg[kEs].selector == kUserData);
  CHECK(m.state.eflags == (eflags::kFixed1 | eflags::kIF | eflags::kZF));
}

TEST_CASE("interrupt delivery: only software interrupts check the gate's DPL, and fail with #GP, not #DF",
          "[interrupt_delivery]") {
  Machine m;
  m.gate(number(Vector::kDF), kGateInterrupt, kDfHandler);  // DPL 0: user code may not int 8
  m.gate(number(Vector::kGP), kGateInterrupt, kGpHandler);
  m.at_cpl(3);

  REQUIRE(deliver_event(m, Event{8, std::nullopt, EventKind::kSoftware, kFaultEip + 2}));
  CHECK(m.state.eip == kGpHandler);
  CHECK(m.stack(0) == 8 * 8 + 2);  // the IDT entry, IDT bit set, EXT clear
  CHECK(m.stack(1) == kFaultEip);  // the fault reports the int instruction

  // int 13 from CPL 3 through its DPL-0 gate: #GP through the same gate
  // (an exception is not checked against the DPL), and no #DF: int n is no
  // contributory exception, even when its vector is one's.
  m.at_cpl(3);
  REQUIRE(deliver_event(m, Event{13, std::nullopt, EventKind::kSoftware, kFaultEip + 2}));
  CHECK(m.state.eip == kGpHandler);
  CHECK(m.stack(0) == 13 * 8 + 2);

  // A device interrupt through the DPL-0 gate is delivered: no DPL check.
  m.at_cpl(3);
  REQUIRE(deliver_event(m, Event{8, std::nullopt, EventKind::kExternal}));
  CHECK(m.state.eip == kDfHandler);
  CHECK(m.stack(0) == kFaultEip);  // no error code for an interrupt
}

TEST_CASE("interrupt delivery: a vector past the IDT limit is #GP naming the entry, with EXT for a device",
          "[interrupt_delivery]") {
  Machine m;
  m.gate(number(Vector::kGP), kGateInterrupt, kGpHandler);
  m.state.idtr.limit = 0x1FF;  // vectors 0 to 0x3F
  REQUIRE(deliver_event(m, Event{0x40, std::nullopt, EventKind::kExternal}));
  CHECK(m.state.eip == kGpHandler);
  CHECK(m.stack(0) == (0x40 * 8 | 2 | 1));
}

TEST_CASE("interrupt delivery: a contributory fault while delivering a contributory one is #DF",
          "[interrupt_delivery]") {
  Machine m;
  m.gate(number(Vector::kGP), kGateInterrupt, kGpHandler, 0, /*present=*/false);  // #NP while delivering #GP
  m.gate(number(Vector::kDF), kGateInterrupt, kDfHandler);
  REQUIRE(deliver_event(m, gp(0)));
  CHECK(m.state.eip == kDfHandler);
  CHECK(m.stack(0) == 0);  // #DF's error code is always 0
  CHECK(m.stack(1) == kFaultEip);
}

TEST_CASE("interrupt delivery: #PF while delivering #GP is delivered, not #DF", "[interrupt_delivery]") {
  Machine m;
  // IDT entries 0-13 on a page that is not present, 14 on the next one.
  m.state.idtr.base = 0x2FF8 - 13 * 8;
  m.put32(0x3000, gate_descriptor(kGateInterrupt, kKernelCode, 0x5400, 0).lo);
  m.put32(0x3004, gate_descriptor(kGateInterrupt, kKernelCode, 0x5400, 0).hi);
  m.absent_pages.insert(2);

  REQUIRE(deliver_event(m, gp(0)));
  CHECK(m.state.eip == 0x5400);
  CHECK(m.state.cr2 == 0x2FF8);  // the gate of #GP
  CHECK(m.stack(0) == 0);        // a supervisor read of a page not present
  CHECK(m.stack(1) == kFaultEip);
}

TEST_CASE("interrupt delivery: #PF while delivering #PF is #DF, taken through a task gate", "[interrupt_delivery]") {
  Machine m;
  m.gate(number(Vector::kPF), kGateInterrupt, 0x5400);
  m.double_fault_task();
  m.absent_pages.insert((kKernelStack - 0x100) >> 12);  // the stack the frame goes on
  m.state.eflags = eflags::kFixed1 | eflags::kIF;
  m.state.cr2 = 0xDEAD000;

  REQUIRE(deliver_event(m, Event::exception(Vector::kPF, 2u)));
  CHECK(m.state.cr2 == kKernelStack - 0x100 - 4);  // the first push of the frame
  CHECK(m.state.tr.selector == kDfTss);
  CHECK(m.state.eip == kDfHandler);
  CHECK(m.state.gpr[kEsp] == kDfStack - 4);
  CHECK(m.stack(0) == 0);  // #DF's error code, on the new task's stack
  CHECK(m.state.eflags & eflags::kNT);
  CHECK(m.get32(kDfTssBase) == kTss);  // back link to the task that faulted
  CHECK(m.get32(kTssBase + 0x20) == kFaultEip);  // which is saved at the fault
  CHECK(m.get32(kTssBase + 0x24) == (eflags::kFixed1 | eflags::kIF));
  CHECK(m.gdt(kDfTss).type() == system_type::kTss32Busy);
  CHECK_FALSE(m.death());
}

TEST_CASE("interrupt delivery: a fault while delivering #DF is a triple fault, which ends the run",
          "[interrupt_delivery]") {
  Machine m;
  m.gate(number(Vector::kPF), kGateInterrupt, 0x5400);
  m.at_cpl(3);
  SECTION("#DF's frame faults too") {
    m.gate(number(Vector::kDF), kGateInterrupt, kDfHandler);  // on the same broken stack
    m.absent_pages.insert((kKernelStack - 4) >> 12);
  }
  SECTION("#DF's gate is not present, though #NP's would work") {
    m.gate(number(Vector::kPF), kGateInterrupt, 0x5400, 0, /*present=*/false);
    m.gate(number(Vector::kDF), kGateInterrupt, kDfHandler, 0, false);
    m.gate(number(Vector::kNP), kGateInterrupt, 0x5600);
  }
  const CpuState before = m.state;

  CHECK_FALSE(deliver_event(m, Event::exception(Vector::kPF, 6u)));
  REQUIRE(m.death());
  CHECK(m.death()->find("triple fault") != std::string::npos);
  // It names the instruction that raised the first fault.
  CHECK(m.death()->find("raised by the instruction under test") != std::string::npos);
  // Nothing of the half-delivered frames is left: still CPL 3, on its stack.
  CHECK(m.state.eip == before.eip);
  CHECK(m.state.gpr[kEsp] == before.gpr[kEsp]);
  CHECK(m.state.seg[kCs].selector == kUserCode);
  CHECK(m.state.seg[kSs].selector == kUserData);
}

TEST_CASE("interrupt delivery: a device interrupt's triple fault names no instruction, only where it came in",
          "[interrupt_delivery]") {
  Machine m;
  m.state.idtr.limit = 0x1F;  // vectors 0 to 3: the interrupt, #GP and #DF lie past it
  CHECK_FALSE(deliver_event(m, Event{0x20, std::nullopt, EventKind::kExternal}));
  REQUIRE(m.death());
  CHECK(m.death()->find("triple fault") != std::string::npos);
  CHECK(m.death()->find("raised by a device interrupt at EIP=0x00001234") != std::string::npos);
  CHECK(m.death()->find("instruction under test") == std::string::npos);
}

TEST_CASE("interrupt delivery: a TSS stack that CPL 0 may not use is #TS naming it, with EXT",
          "[interrupt_delivery]") {
  Machine m;
  m.gate(0x20, kGateInterrupt, 0x5600);
  m.put32(kTssBase + 8, kUserData);  // SS0: a DPL-3 segment
  // #TS goes to a task of its own: its delivery would need the same stack.
  m.double_fault_task();
  m.set_idt(number(Vector::kTS), gate_descriptor(system_type::kTaskGate, kDfTss, 0, 0));
  m.at_cpl(3);

  REQUIRE(deliver_event(m, Event{0x20, std::nullopt, EventKind::kExternal}));
  CHECK(m.state.tr.selector == kDfTss);
  CHECK(m.stack(0) == (selector_error(kUserData) | 1));
  CHECK(m.get32(kTssBase + 0x4C) == kUserCode);  // the interrupted task's CS, saved
}

TEST_CASE("iret: the CPL returned to is the selector's RPL, which the code segment must allow",
          "[interrupt_delivery]") {
  Machine m;
  constexpr uint16_t kConforming = 0x40;
  m.set_gdt(kConforming, segment_descriptor(0, 0xFFFFF, true, 0));
  {
    Descriptor d = m.gdt(kConforming);
    d.hi |= uint32_t{access_rights::kConformingOrExpandDown} << 8;
    m.set_gdt(kConforming, d);
  }
  auto frame = [&](uint32_t eip, uint16_t cs, uint32_t ss = 0, uint32_t esp = 0) {
    m.at_cpl(0);
    const uint32_t words[5] = {eip, cs, eflags::kFixed1, esp, ss};
    const unsigned n = ss ? 5 : 3;
    m.state.gpr[kEsp] -= 4 * n;
    for (unsigned i = 0; i < n; ++i) m.put32(m.state.gpr[kEsp] + 4 * i, words[i]);
  };

  SECTION("a non-conforming DPL-0 segment with RPL 3: #GP(selector), still CPL 0") {
    frame(0x6000, kKernelCode | 3, kUserData, kUserStack);
    CHECK_FALSE(iret(m, 4, kFaultEip + 1));
    REQUIRE(m.pending());
    CHECK(m.pending()->vector == number(Vector::kGP));
    CHECK(m.pending()->error_code == kKernelCode);
    CHECK(m.state.cpl() == 0);
    CHECK(m.state.eip == kFaultEip);
  }
  SECTION("a conforming DPL-0 segment with RPL 3: CPL 3 on the popped stack") {
    frame(0x6000, kConforming | 3, kUserData, kUserStack);
    REQUIRE(iret(m, 4, kFaultEip + 1));
    CHECK(m.state.cpl() == 3);
    CHECK(m.state.seg[kCs].selector == (kConforming | 3));
    CHECK(m.state.gpr[kEsp] == kUserStack);
  }
  SECTION("a conforming segment from CPL 0 with RPL 0 stays at CPL 0") {
    frame(0x6000, kConforming);
    REQUIRE(iret(m, 4, kFaultEip + 1));
    CHECK(m.state.cpl() == 0);
    CHECK(m.state.eip == 0x6000);
  }
}
