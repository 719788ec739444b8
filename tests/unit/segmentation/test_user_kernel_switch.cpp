// segmentation/user_kernel_switch.h against the general paths: on the same
// machine, with one thing changed at a time (each a case the fast path must
// take or must leave), the fast path either leaves exactly the state that
// deliver_event / iret leave on a twin whose fast paths are off (registers,
// segment caches and checks, memory) or changes nothing and raises nothing.
#include <catch2/catch.hpp>

#include <functional>
#include <utility>
#include <vector>

#include "bt86/segmentation/interrupt_delivery.h"
#include "bt86/segmentation/iret.h"
#include "bt86/segmentation/user_kernel_switch.h"
#include "system_machine.h"

using namespace bt86;
using namespace bt86::test;

namespace {

constexpr uint16_t kKernelCode = 0x08, kKernelData = 0x10, kUserCode = 0x1B, kUserData = 0x23, kTss = 0x28,
                   kSpare = 0x30;
constexpr uint32_t kTssBase = 0x4000, kKernelStack = 0x9000, kUserStack = 0x7000;
constexpr uint32_t kIntEip = 0x1234, kHandler = 0x5000, kUserEip = 0x2345;
constexpr uint8_t kVector = 0x80;

// The descriptors an OS writes: 4 GiB, page granular, accessed.
Descriptor flat(bool code, unsigned dpl) {
  Descriptor d = segment_descriptor(0, 0xFFFFF, code, dpl);
  d.hi |= 0x800000;
  d.set_accessed();
  return d;
}

struct Machine : SystemMachine {
  Machine() {
    set_gdt(kKernelCode, flat(true, 0));
    set_gdt(kKernelData, flat(false, 0));
    set_gdt(kUserCode, flat(true, 3));
    set_gdt(kUserData, flat(false, 3));
    set_gdt(kTss, system_descriptor(system_type::kTss32Busy, kTssBase, 0x67));
    put32(kTssBase + 4, kKernelStack);
    put32(kTssBase + 8, kKernelData);
    load_tr(kTss);
    set_idt(kVector, gate_descriptor(system_type::kInterruptGate32, kKernelCode, kHandler, 3));
  }
  void at_cpl(unsigned cpl) {
    const uint16_t code = cpl ? kUserCode : kKernelCode, data = cpl ? kUserData : kKernelData;
    load(kCs, code);
    for (unsigned s : {kSs, kDs, kEs, kFs, kGs}) load(s, data);
    state.gpr[kEsp] = cpl ? kUserStack : kKernelStack - 0x100;
    state.eip = kIntEip;
    state.eflags = eflags::kFixed1 | eflags::kIF | eflags::kZF;
    for (unsigned r = 0; r < 8; ++r)
      if (r != kEsp) state.gpr[r] = 0x1000 * r + 7;
  }
  // At CPL 0 with an iretd frame to user mode on the stack.
  void iret_frame(uint32_t cs = kUserCode, uint32_t flags = eflags::kFixed1 | eflags::kIF,
                  uint32_t ss = kUserData) {
    at_cpl(0);
    const uint32_t esp = state.gpr[kEsp];
    const uint32_t frame[5] = {kUserEip, cs, flags, kUserStack, ss};
    for (unsigned i = 0; i < 5; ++i) put32(esp + 4 * i, frame[i]);
  }
};

using Change = std::pair<const char*, std::function<void(Machine&)>>;

void require_same(const Machine& a, const Machine& b) {
  for (unsigned r = 0; r < 8; ++r) REQUIRE(a.state.gpr[r] == b.state.gpr[r]);
  REQUIRE(a.state.eip == b.state.eip);
  REQUIRE(a.state.eflags == b.state.eflags);
  for (unsigned s = 0; s < 6; ++s) {
    INFO("segment " << s);
    REQUIRE(a.state.seg[s].selector == b.state.seg[s].selector);
    REQUIRE(a.state.seg[s].access == b.state.seg[s].access);
    REQUIRE(a.state.seg[s].base == b.state.seg[s].base);
    REQUIRE(a.state.seg[s].limit == b.state.seg[s].limit);
  }
  REQUIRE(a.state.seg_checked == b.state.seg_checked);
  REQUIRE(a.state.nmi_blocked == b.state.nmi_blocked);
  REQUIRE(a.state.halted == b.state.halted);
  REQUIRE(a.memory == b.memory);
}

// Runs `fast` on one machine and `general` on a twin, both set up by
// `setup`; returns whether the fast path took the instruction.
bool compare(const std::function<void(Machine&)>& setup, const std::function<bool(Machine&)>& fast,
             const std::function<void(Machine&)>& general) {
  Machine a, b, before;
  for (Machine* m : {&a, &b, &before}) setup(*m);
  const bool took = fast(a);
  if (!took) {
    REQUIRE_FALSE(a.pending());
    require_same(a, before);
    return false;
  }
  general(b);
  REQUIRE_FALSE(b.pending());
  REQUIRE_FALSE(b.death());
  require_same(a, b);
  return true;
}

}  // namespace

TEST_CASE("user-kernel switch: events from CPL 3 as the general path delivers them", "[user_kernel_switch]") {
  // int n, an exception with an error code, a device interrupt.
  const std::vector<std::pair<const char*, Event>> events = {
      {"int 0x80", Event{kVector, std::nullopt, EventKind::kSoftware, kIntEip + 2}},
      {"an exception with an error code", Event{kVector, 0x1C, EventKind::kException}},
      {"a device interrupt", Event{kVector, std::nullopt, EventKind::kExternal}},
  };
  auto set_gate = [](Machine& m, unsigned type, uint16_t cs, unsigned dpl, bool present) {
    m.set_idt(kVector, gate_descriptor(type, cs, kHandler, dpl, present));
  };
  const std::vector<Change> taken = {
      {"an interrupt gate", [](Machine&) {}},
      {"a trap gate", [&](Machine& m) { set_gate(m, system_type::kTrapGate32, kKernelCode, 3, true); }},
      {"TF, NT, RF, AC set", [](Machine& m) {
         m.state.eflags |= eflags::kTF | eflags::kNT | eflags::kRF | eflags::kAC | eflags::kIOPL;
       }},
      {"ESP0 not aligned", [](Machine& m) { m.put32(kTssBase + 4, kKernelStack - 2); }},
      {"code segment not accessed", [](Machine& m) {
         Descriptor d = flat(true, 0);
         d.hi &= ~(1u << 8);
         m.set_gdt(kKernelCode, d);
       }},
  };
  const std::vector<Change> left = {
      {"a gate not present", [&](Machine& m) { set_gate(m, system_type::kInterruptGate32, kKernelCode, 3, false); }},
      {"a 16-bit gate", [&](Machine& m) { set_gate(m, system_type::kInterruptGate16, kKernelCode, 3, true); }},
      {"a task gate", [&](Machine& m) { set_gate(m, system_type::kTaskGate, kTss, 3, true); }},
      {"a gate beyond the IDT limit", [](Machine& m) { m.state.idtr.limit = kVector * 8 - 1; }},
      {"the IDT page absent", [](Machine& m) { m.absent_pages.insert(Machine::kIdt >> 12); }},
      {"the gate names a data segment",
       [&](Machine& m) { set_gate(m, system_type::kInterruptGate32, kKernelData, 3, true); }},
      {"the gate names a null selector", [&](Machine& m) { set_gate(m, system_type::kInterruptGate32, 0, 3, true); }},
      {"the gate names user code (no stack switch)",
       [&](Machine& m) { set_gate(m, system_type::kInterruptGate32, kUserCode, 3, true); }},
      {"code not present", [](Machine& m) { m.set_gdt(kKernelCode, segment_descriptor(0, 0xFFFFF, true, 0, false)); }},
      {"the entry past the code limit",
       [](Machine& m) { m.set_gdt(kKernelCode, segment_descriptor(0, 0xFFF, true, 0)); }},
      {"conforming code", [](Machine& m) {
         Descriptor d = flat(true, 0);
         d.hi |= 0x400;
         m.set_gdt(kKernelCode, d);
       }},
      {"at CPL 0", [](Machine& m) { m.at_cpl(0); }},
      {"in virtual-8086 mode", [](Machine& m) { m.state.eflags |= eflags::kVM; }},
      {"in real mode", [](Machine& m) { m.state.cr0 = 0; }},
      {"a 16-bit TSS", [](Machine& m) {
         m.set_gdt(kTss, system_descriptor(system_type::kTss16Busy, kTssBase, 0x2B));
         m.load_tr(kTss);
       }},
      {"a TSS too short", [](Machine& m) {
         m.set_gdt(kTss, system_descriptor(system_type::kTss32Busy, kTssBase, 8));
         m.load_tr(kTss);
       }},
      {"the TSS page absent", [](Machine& m) { m.absent_pages.insert(kTssBase >> 12); }},
      {"SS0 of DPL 3", [](Machine& m) { m.put32(kTssBase + 8, kUserData); }},
      {"SS0 not present", [](Machine& m) { m.set_gdt(kKernelData, segment_descriptor(0, 0xFFFFF, false, 0, false)); }},
      {"SS0 not flat (a limit)", [](Machine& m) { m.set_gdt(kKernelData, segment_descriptor(0, 0xFFFFF, false, 0)); }},
      {"SS0 a 16-bit stack", [](Machine& m) {
         Descriptor d = flat(false, 0);
         d.hi &= ~0x400000u;
         m.set_gdt(kKernelData, d);
       }},
      {"ESP0 below the frame", [](Machine& m) { m.put32(kTssBase + 4, 8); }},
      {"the ring-0 stack page absent", [](Machine& m) { m.absent_pages.insert((kKernelStack - 4) >> 12); }},
      {"the ring-0 stack page holds translated code",
       [](Machine& m) { m.read_only_pages.insert((kKernelStack - 4) >> 12); }},
  };
  // Only int n checks the gate's DPL.
  const Change dpl0 = {"a gate of DPL 0",
                       [&](Machine& m) { set_gate(m, system_type::kInterruptGate32, kKernelCode, 0, true); }};
  for (const auto& [kind, event] : events) {
    INFO(kind);
    auto fast = [&event = event](Machine& m) { return user_to_kernel_event(m, event); };
    auto general = [&event = event](Machine& m) {
      m.quick = false;
      deliver_event(m, event);
    };
    auto check = [&](const Change& c, bool take) {
      INFO(c.first);
      auto setup = [&c](Machine& m) {
        m.at_cpl(3);
        c.second(m);
      };
      CHECK(compare(setup, fast, general) == take);
    };
    for (const Change& c : taken) check(c, true);
    for (const Change& c : left) check(c, false);
    check(dpl0, !event.software());
  }
}

TEST_CASE("user-kernel switch: iretd from CPL 0 as iret carries it out", "[user_kernel_switch]") {
  const uint32_t user_flags = eflags::kFixed1 | eflags::kIF;
  const std::vector<Change> taken = {
      {"to user mode", [](Machine& m) { m.iret_frame(); }},
      {"to CPL 0", [](Machine& m) { m.iret_frame(kKernelCode); }},
      {"every EFLAGS bit in the image", [&](Machine& m) {
         m.iret_frame(kUserCode, eflags::kImplemented & ~(eflags::kVM | eflags::kNT));
       }},
      {"IOPL 3 and VIF at CPL 0", [&](Machine& m) {
         m.iret_frame(kUserCode, user_flags | eflags::kIOPL | eflags::kVIF);
         m.state.eflags |= eflags::kIOPL;
       }},
      {"DS and ES of DPL 0 become null, FS of DPL 3 stays", [](Machine& m) {
         m.iret_frame();
         m.load(kFs, kUserData);
       }},
      {"GS conforming code of DPL 0 stays", [](Machine& m) {
         m.iret_frame();
         Descriptor d = flat(true, 0);
         d.hi |= 0x400;
         m.set_gdt(kSpare, d);
         m.load(kGs, kSpare);
       }},
      {"user code with a limit", [](Machine& m) {
         Descriptor d = segment_descriptor(0x10000, 0x3000, true, 3);
         d.set_accessed();
         m.set_gdt(kSpare, d);
         m.iret_frame(kSpare | 3);
       }},
      {"user stack not flat", [](Machine& m) {
         Descriptor d = segment_descriptor(0x20000, 0x8000, false, 3);
         d.set_accessed();
         m.set_gdt(kSpare, d);
         m.iret_frame(kUserCode, user_flags, kSpare | 3);
       }},
  };
  const std::vector<Change> left = {
      {"code not accessed", [](Machine& m) {
         m.set_gdt(kSpare, segment_descriptor(0, 0xFFFFF, true, 3));
         m.iret_frame(kSpare | 3);
       }},
      {"stack not accessed", [&](Machine& m) {
         m.set_gdt(kSpare, segment_descriptor(0, 0xFFFFF, false, 3));
         m.iret_frame(kUserCode, user_flags, kSpare | 3);
       }},
      {"code not present", [](Machine& m) {
         Descriptor d = flat(true, 3);
         d.hi &= ~0x8000u;
         m.set_gdt(kSpare, d);
         m.iret_frame(kSpare | 3);
       }},
      {"EIP past the code limit", [](Machine& m) {
         Descriptor d = segment_descriptor(0, kUserEip - 1, true, 3);
         d.set_accessed();
         m.set_gdt(kSpare, d);
         m.iret_frame(kSpare | 3);
       }},
      {"CS of RPL 3 naming kernel code", [](Machine& m) { m.iret_frame(kKernelCode | 3); }},
      {"CS of RPL 1", [](Machine& m) { m.iret_frame(kUserCode & ~3u | 1); }},
      {"a conforming code segment", [](Machine& m) {
         Descriptor d = flat(true, 0);
         d.hi |= 0x400;
         m.set_gdt(kSpare, d);
         m.iret_frame(kSpare | 3);
       }},
      {"SS of RPL 0", [&](Machine& m) { m.iret_frame(kUserCode, user_flags, kKernelData); }},
      {"SS read-only", [&](Machine& m) {
         Descriptor d = flat(false, 3);
         d.hi &= ~0x200u;
         m.set_gdt(kSpare, d);
         m.iret_frame(kUserCode, user_flags, kSpare | 3);
       }},
      {"VM in the image", [&](Machine& m) { m.iret_frame(kUserCode, user_flags | eflags::kVM); }},
      {"NT set: a task return", [](Machine& m) {
         m.iret_frame();
         m.state.eflags |= eflags::kNT;
       }},
      {"at CPL 3", [](Machine& m) {
         m.iret_frame();
         m.at_cpl(3);
       }},
      {"the stack page absent", [](Machine& m) {
         m.iret_frame();
         m.absent_pages.insert(m.state.gpr[kEsp] >> 12);
       }},
      {"the kernel stack not flat", [](Machine& m) {
         m.set_gdt(kKernelData, segment_descriptor(0, 0xFFFFF, false, 0));
         m.iret_frame();
       }},
  };
  for (const auto& [what, change] : taken) {
    INFO(what);
    CHECK(compare(change, [](Machine& m) { return kernel_iret(m, 4); }, [](Machine& m) {
      m.quick = false;
      iret(m, 4, kIntEip + 1);
    }));
  }
  for (const auto& [what, change] : left) {
    INFO(what);
    CHECK_FALSE(compare(change, [](Machine& m) { return kernel_iret(m, 4); }, [](Machine&) {}));
  }
  INFO("a 16-bit iret");
  CHECK_FALSE(
      compare([](Machine& m) { m.iret_frame(); }, [](Machine& m) { return kernel_iret(m, 2); }, [](Machine&) {}));
}
