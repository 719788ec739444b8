// segmentation/cpu_state.h: the flat segments a loader sets up, the mode
// queries derived from them, and the EFLAGS/CR0 bit positions (Intel SDM
// vol. 1 §3.4.3 and vol. 3 §2.5) that emitted code and helpers rely on.
#include <catch2/catch.hpp>

#include "bt86/segmentation/cpu_state.h"

using namespace bt86;

TEST_CASE("cpu_state: load_flat gives a flat ring-0 segment", "[cpu_state]") {
  CpuState cpu{};
  CHECK_FALSE(cpu.code32());  // all-zero state: 16-bit code

  load_flat(cpu.seg[kCs], 0x08, true);
  CHECK(cpu.code32());
  CHECK(cpu.cpl() == 0);
  CHECK(cpu.seg[kCs].selector == 0x08);
  CHECK(cpu.seg[kCs].base == 0);
  CHECK(cpu.seg[kCs].limit == 0xFFFFFFFFu);
  CHECK((cpu.seg[kCs].access & 0x80) != 0);  // present
  CHECK((cpu.seg[kCs].access & 0x08) != 0);  // executable
  CHECK((cpu.seg[kCs].access & 0x02) != 0);  // readable

  load_flat(cpu.seg[kDs], 0x10, false);
  CHECK((cpu.seg[kDs].access & 0x08) == 0);  // data
  CHECK((cpu.seg[kDs].access & 0x02) != 0);  // writable
  CHECK((cpu.seg[kDs].access & 0x4000) != 0);  // B=1: 32-bit stack if loaded into SS
}

TEST_CASE("cpu_state: cpl is CS's RPL in protected mode, code32 its D bit", "[cpu_state]") {
  CpuState cpu{};
  cpu.cr0 = cr0::kPE;
  load_flat(cpu.seg[kCs], 0x1B, true);
  CHECK(cpu.cpl() == 3);
  // Conforming code keeps the caller's CPL: the descriptor's DPL does not count.
  cpu.seg[kCs].selector = 0x31;
  cpu.seg[kCs].access &= ~0x60;  // DPL 0
  CHECK(cpu.cpl() == 1);
  cpu.cr0 = 0;  // real mode: always CPL 0
  CHECK(cpu.cpl() == 0);
  cpu.seg[kCs].access &= ~0x4000;  // D=0
  CHECK_FALSE(cpu.code32());
}

TEST_CASE("cpu_state: paging and protected_mode follow CR0", "[cpu_state]") {
  CpuState cpu{};
  CHECK_FALSE(cpu.protected_mode());
  CHECK_FALSE(cpu.paging());
  cpu.cr0 = cr0::kPE;
  CHECK(cpu.protected_mode());
  CHECK_FALSE(cpu.paging());
  cpu.cr0 |= cr0::kPG;
  CHECK(cpu.paging());
}

TEST_CASE("cpu_state: EFLAGS and CR0 constants sit at the SDM bit positions", "[cpu_state]") {
  CHECK(eflags::kCF == 1u << 0);
  CHECK(eflags::kFixed1 == 1u << 1);
  CHECK(eflags::kPF == 1u << 2);
  CHECK(eflags::kAF == 1u << 4);
  CHECK(eflags::kZF == 1u << 6);
  CHECK(eflags::kSF == 1u << 7);
  CHECK(eflags::kTF == 1u << 8);
  CHECK(eflags::kIF == 1u << 9);
  CHECK(eflags::kDF == 1u << 10);
  CHECK(eflags::kOF == 1u << 11);
  CHECK(eflags::kIOPL == 0x3000u);  // bits 12-13
  CHECK(eflags::kNT == 1u << 14);
  CHECK(eflags::kRF == 1u << 16);
  CHECK(eflags::kVM == 1u << 17);
  CHECK(eflags::kAC == 1u << 18);
  CHECK(eflags::kID == 1u << 21);
  // The host keeps exactly the arithmetic flags and DF live: never IF/TF/IOPL.
  CHECK(eflags::kHostLive == 0x0CD5u);

  CHECK(cr0::kPE == 1u << 0);
  CHECK(cr0::kTS == 1u << 3);
  CHECK(cr0::kET == 1u << 4);
  CHECK(cr0::kWP == 1u << 16);
  CHECK(cr0::kPG == 1u << 31);
}
