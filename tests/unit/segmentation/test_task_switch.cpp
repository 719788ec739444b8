// segmentation/task_switch.h: hardware task switches on a small
// protected-mode machine (tests/unit/support/system_machine.h), reached as
// the guest reaches them: a far jmp or call to a TSS or task gate, and iret
// with NT back to the calling task. What the outgoing TSS receives, what
// the incoming one loads, the busy bits, the back link and NT, CR0.TS, and
// the checks that refuse a switch before anything changes.
#include <catch2/catch.hpp>

#include "bt86/segmentation/far_transfer.h"
#include "bt86/segmentation/iret.h"
#include "bt86/segmentation/task_switch.h"
#include "system_machine.h"

using namespace bt86;
using namespace bt86::test;

namespace {

constexpr uint16_t kCode = 0x08, kData = 0x10, kOldTss = 0x28, kNewTss = 0x30, kTaskGate = 0x38, kUserCode = 0x43;
constexpr uint32_t kOldBase = 0x4000, kNewBase = 0x4100;
// TSS fields.
constexpr uint32_t kLink = 0x00, kCr3 = 0x1C, kEip = 0x20, kEflags = 0x24, kGprs = 0x28, kSegs = 0x48;

// Two tasks: the running one (TR = kOldTss, busy) and another (kNewTss,
// available) whose TSS holds a state of its own.
struct Machine : SystemMachine {
  Machine() {
    set_gdt(kCode, segment_descriptor(0, 0xFFFFF, true, 0));
    set_gdt(kData, segment_descriptor(0, 0xFFFFF, false, 0));
    set_gdt(kUserCode, segment_descriptor(0, 0xFFFFF, true, 3));
    set_gdt(kOldTss, system_descriptor(system_type::kTss32Busy, kOldBase, 0x67));
    set_gdt(kNewTss, system_descriptor(system_type::kTss32, kNewBase, 0x67));
    load_tr(kOldTss);
    load(kCs, kCode);
    for (unsigned s : {kSs, kDs, kEs}) load(s, kData);
    for (unsigned r = 0; r < 8; ++r) state.gpr[r] = 0x1000 * (r + 1);
    state.gpr[kEsp] = 0x8000;
    state.eip = 0x1111;
    state.eflags = eflags::kFixed1 | eflags::kCF;

    put32(kNewBase + kCr3, 0x00ABC000);
    put32(kNewBase + kEip, 0x2222);
    put32(kNewBase + kEflags, eflags::kFixed1 | eflags::kZF);
    for (unsigned r = 0; r < 8; ++r) put32(kNewBase + kGprs + r * 4, 0xA0 + r);
    put32(kNewBase + kGprs + kEsp * 4, 0x6000);
    const uint16_t segs[6] = {kData, kCode, kData, kData, 0, 0};
    for (unsigned s = 0; s < 6; ++s) put32(kNewBase + kSegs + s * 4, segs[s]);
  }
  bool far(uint16_t selector, bool call) { return far_jump_or_call(*this, selector, 0, {call, 4, 0x1117}); }
  unsigned type(uint16_t selector) const { return gdt(selector).type(); }
};

}  // namespace

TEST_CASE("task switch: a far jmp to a TSS saves this task and loads that one", "[task_switch]") {
  Machine m;
  m.state.cr0 |= cr0::kPG;  // the test machine's memory is flat: CR3 only has to be loaded
  REQUIRE(m.far(kNewTss, /*call=*/false));
  CHECK_FALSE(m.pending());

  // The outgoing task, as it will resume: past the jmp.
  CHECK(m.get32(kOldBase + kEip) == 0x1117);
  CHECK(m.get32(kOldBase + kEflags) == (eflags::kFixed1 | eflags::kCF));
  CHECK(m.get32(kOldBase + kGprs + kEbx * 4) == 0x4000);
  CHECK(m.get32(kOldBase + kGprs + kEsp * 4) == 0x8000);
  CHECK(m.get32(kOldBase + kSegs + kCs * 4) == kCode);

  // The incoming task.
  CHECK(m.state.tr.selector == kNewTss);
  CHECK(m.state.tr.base == kNewBase);
  CHECK(m.state.eip == 0x2222);
  CHECK(m.state.eflags == (eflags::kFixed1 | eflags::kZF));  // a jmp sets no NT
  CHECK(m.state.gpr[kEax] == 0xA0);
  CHECK(m.state.gpr[kEsp] == 0x6000);
  CHECK(m.state.seg[kSs].selector == kData);
  CHECK(m.state.cr3 == 0x00ABC000);
  CHECK(m.paging_notices == 1);
  CHECK(m.state.cr0 & cr0::kTS);  // the next FPU instruction is #NM

  // A jmp hands the busy bit over and leaves no back link.
  CHECK(m.type(kOldTss) == system_type::kTss32);
  CHECK(m.type(kNewTss) == system_type::kTss32Busy);
  CHECK(m.get32(kNewBase + kLink) == 0);
}

TEST_CASE("task switch: a call nests the task, and iret with NT returns to the caller", "[task_switch]") {
  Machine m;
  REQUIRE(m.far(kNewTss, /*call=*/true));
  CHECK(m.state.tr.selector == kNewTss);
  CHECK(m.state.eflags & eflags::kNT);
  CHECK(m.get32(kNewBase + kLink) == kOldTss);
  CHECK(m.type(kOldTss) == system_type::kTss32Busy);  // the caller stays busy
  CHECK(m.type(kNewTss) == system_type::kTss32Busy);

  // The called task runs, then returns.
  m.state.gpr[kEax] = 0xB0;
  m.state.eip = 0x2300;
  REQUIRE(iret(m, 4, 0x2301));
  CHECK_FALSE(m.pending());
  CHECK(m.state.tr.selector == kOldTss);
  CHECK(m.state.eip == 0x1117);
  CHECK(m.state.gpr[kEax] == 0x1000);
  CHECK(m.state.gpr[kEbx] == 0x4000);
  CHECK(m.state.eflags == (eflags::kFixed1 | eflags::kCF));
  CHECK(m.type(kNewTss) == system_type::kTss32);  // free to be called again
  CHECK(m.type(kOldTss) == system_type::kTss32Busy);
  // The returning task was saved with NT clear and resumes after its iret.
  CHECK(m.get32(kNewBase + kEip) == 0x2301);
  CHECK(m.get32(kNewBase + kGprs) == 0xB0);
  CHECK_FALSE(m.get32(kNewBase + kEflags) & eflags::kNT);
}

TEST_CASE("task switch: a task gate leads to its TSS, when the caller's CPL may use the gate", "[task_switch]") {
  Machine m;
  m.set_gdt(kTaskGate, gate_descriptor(system_type::kTaskGate, kNewTss, 0, /*dpl=*/0));
  m.load(kCs, kUserCode);  // CPL 3
  CHECK_FALSE(m.far(kTaskGate, true));
  REQUIRE(m.pending());
  CHECK(m.pending()->vector == number(Vector::kGP));
  CHECK(m.pending()->error_code == selector_error(kTaskGate));
  CHECK(m.state.tr.selector == kOldTss);

  Machine ok;
  ok.set_gdt(kTaskGate, gate_descriptor(system_type::kTaskGate, kNewTss, 0, 0));
  REQUIRE(ok.far(kTaskGate, false));
  CHECK(ok.state.tr.selector == kNewTss);
  CHECK(ok.state.eip == 0x2222);
}

TEST_CASE("task switch: targets the architecture refuses fault before anything changes", "[task_switch]") {
  auto refused = [](Machine& m, bool switched, Vector v, uint32_t code) {
    REQUIRE(m.pending());
    CHECK(m.pending()->vector == number(v));
    CHECK(m.pending()->error_code == code);
    CHECK(m.state.tr.selector == kOldTss);
    CHECK(m.state.eip == 0x1111);  // the fault reports the jmp, call or iret
    CHECK_FALSE(switched);
  };
  SECTION("a busy TSS: #GP") {
    Machine m;
    m.set_gdt(kNewTss, system_descriptor(system_type::kTss32Busy, kNewBase, 0x67));
    refused(m, m.far(kNewTss, true), Vector::kGP, kNewTss);
  }
  SECTION("a TSS too short for 32-bit state: #TS") {
    Machine m;
    m.set_gdt(kNewTss, system_descriptor(system_type::kTss32, kNewBase, 0x63));
    refused(m, m.far(kNewTss, false), Vector::kTS, kNewTss);
  }
  SECTION("a TSS not present: #NP") {
    Machine m;
    Descriptor d = system_descriptor(system_type::kTss32, kNewBase, 0x67);
    d.hi &= ~0x8000u;
    m.set_gdt(kNewTss, d);
    refused(m, m.far(kNewTss, false), Vector::kNP, kNewTss);
  }
  SECTION("iret to a back link that is not a busy TSS: #TS") {
    Machine m;
    m.state.eflags |= eflags::kNT;
    m.put32(kOldBase + kLink, kNewTss);  // available, not busy
    refused(m, iret(m, 4, 0x1112), Vector::kTS, kNewTss);
  }
}

TEST_CASE("task switch: a bad CS in the new TSS is #TS in the new task", "[task_switch]") {
  Machine m;
  m.put32(kNewBase + kSegs + kCs * 4, kData);  // not a code segment
  CHECK_FALSE(m.far(kNewTss, false));
  REQUIRE(m.pending());
  CHECK(m.pending()->vector == number(Vector::kTS));
  CHECK(m.pending()->error_code == kData);
  // The switch itself happened: the fault belongs to the new task (SDM vol. 3, 8.3).
  CHECK(m.state.tr.selector == kNewTss);
  CHECK(m.get32(kOldBase + kEip) == 0x1117);
}
