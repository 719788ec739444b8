// host/multiboot.h: a minimal hand-built ELF32 kernel boots into the
// machine state the Multiboot v1 specification defines.
#include "multiboot_image.h"

using namespace bt86::test;
using bt86::LoadError;

TEST_CASE_METHOD(Loader, "multiboot: a minimal ELF32 kernel loads at its physical address", "[multiboot]") {
  // Garbage where the bss goes, so zeroing is observable (a fresh memfd is zero).
  std::memset(machine.ram.host(kLoadAddr), 0xCC, kMemSize + 0x10);
  const std::string cmdline = "console=ttyS0 answer=42";
  load(minimal_elf32(), cmdline);

  CHECK(std::memcmp(machine.ram.host(kLoadAddr), kCode, sizeof kCode) == 0);
  bool bss_zero = true;
  for (uint32_t a = kLoadAddr + sizeof kCode; a < kLoadAddr + kMemSize; ++a) bss_zero &= machine.ram.host(a)[0] == 0;
  CHECK(bss_zero);
  CHECK(machine.ram.host(kLoadAddr + kMemSize)[0] == 0xCC);  // nothing past p_memsz is touched

  const bt86::CpuState& cpu = machine.cpu;
  CHECK(cpu.eip == kLoadAddr);
  CHECK(cpu.gpr[bt86::kEax] == bt86::multiboot::kBootMagic);
  CHECK(cpu.gpr[bt86::kEax] == 0x2BADB002u);
  CHECK(cpu.cr0 & bt86::cr0::kPE);
  CHECK_FALSE(cpu.paging());
  CHECK((cpu.eflags & (bt86::eflags::kIF | bt86::eflags::kVM)) == 0);  // spec: IF and VM clear

  // CS: flat 32-bit execute/read code at DPL 0; the data segments flat too.
  const bt86::SegmentCache& cs = cpu.seg[bt86::kCs];
  CHECK(cpu.code32());
  CHECK(cpu.cpl() == 0);
  CHECK(cs.base == 0);
  CHECK(cs.limit == 0xFFFFFFFFu);
  CHECK((cs.access & 0x18) == 0x18);  // S=1, code
  for (unsigned s : {bt86::kDs, bt86::kEs, bt86::kSs, bt86::kFs, bt86::kGs}) {
    CHECK(cpu.seg[s].base == 0);
    CHECK(cpu.seg[s].limit == 0xFFFFFFFFu);
    CHECK((cpu.seg[s].access & 0x18) == 0x10);  // S=1, data
  }
  // The GDT entry behind CS says the same, so the kernel can reload it.
  REQUIRE(cpu.gdtr.limit >= cs.selector + 7);
  CHECK(word(cpu.gdtr.base + cs.selector + 4) == 0x00CF9A00u);

  // EBX: the information structure.
  uint32_t info = cpu.gpr[bt86::kEbx];
  REQUIRE(machine.ram.contains(info, 88));
  uint32_t flags = word(info);
  CHECK(flags & 1u << 0);  // mem_lower/mem_upper valid
  CHECK(word(info + 4) == 640);
  CHECK(word(info + 8) == (kRamBytes >> 10) - 1024);
  REQUIRE(flags & 1u << 2);  // cmdline valid
  uint32_t cmd = word(info + 16);
  REQUIRE(machine.ram.contains(cmd, cmdline.size() + 1));
  CHECK(std::string(reinterpret_cast<const char*>(machine.ram.host(cmd))) == cmdline);
}

TEST_CASE_METHOD(Loader, "multiboot: the memory map ends at the top of RAM", "[multiboot]") {
  load(minimal_elf32());
  uint32_t info = machine.cpu.gpr[bt86::kEbx];
  REQUIRE(word(info) & 1u << 6);
  uint32_t len = word(info + 44), addr = word(info + 48);
  uint64_t top_of_usable = 0;
  for (uint32_t p = addr; p < addr + len;) {
    uint32_t size = word(p);
    uint64_t base, length;
    std::memcpy(&base, machine.ram.host(p + 4), 8);
    std::memcpy(&length, machine.ram.host(p + 12), 8);
    if (word(p + 20) == 1) top_of_usable = std::max(top_of_usable, base + length);
    p += size + 4;  // the size field does not count itself
  }
  CHECK(top_of_usable == kRamBytes);
}

// The loader's GDT (0x800) and information structure (0x9000..) must never
// silently overwrite a kernel linked that low: refusing it is fine.
TEST_CASE_METHOD(Loader, "multiboot: the loader's own structures never overwrite the kernel", "[multiboot]") {
  ElfShape s;
  s.paddr = bt86::multiboot::kInfoAddr;
  s.memsz = 0x100;
  bool refused = false;
  try {
    load(minimal_elf32(s));
  } catch (const LoadError&) {
    refused = true;
  }
  if (!refused) CHECK(std::memcmp(machine.ram.host(s.paddr), kCode, sizeof kCode) == 0);
}
