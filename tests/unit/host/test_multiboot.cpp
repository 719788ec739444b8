// host/multiboot.h: a minimal hand-built ELF32 kernel boots into the
// machine state the Multiboot v1 specification defines.
#include "multiboot_image.h"

using namespace bt86::test;
using bt86::LoadError;

TEST_CASE_METHOD(Loader, "multiboot: a minimal ELF32 kernel loads at its physical address", "[multiboot]") {
  // Garbage where the bss goes, so zeroing is observable (a fresh memfd is zero).
  // The loader's own data starts at the next page: p_memsz ends short of it.
  ElfShape s;
  s.memsz = kMemSize - 0x10;
  std::memset(machine.ram.host(kLoadAddr), 0xCC, kMemSize);
  const std::string cmdline = "console=ttyS0 answer=42";
  load(minimal_elf32(s), cmdline);

  CHECK(std::memcmp(machine.ram.host(kLoadAddr), kCode, sizeof kCode) == 0);
  bool bss_zero = true;
  for (uint32_t a = kLoadAddr + sizeof kCode; a < kLoadAddr + s.memsz; ++a) bss_zero &= machine.ram.host(a)[0] == 0;
  CHECK(bss_zero);
  CHECK(machine.ram.host(kLoadAddr + s.memsz)[0] == 0xCC);  // nothing past p_memsz is touched

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
  for (unsigned r : {bt86::kDs, bt86::kEs, bt86::kSs, bt86::kFs, bt86::kGs}) {
    CHECK(cpu.seg[r].base == 0);
    CHECK(cpu.seg[r].limit == 0xFFFFFFFFu);
    CHECK((cpu.seg[r].access & 0x18) == 0x10);  // S=1, data
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

// Everything the loader writes besides the image: the information
// structure, what it points to, and the GDT.
std::vector<std::pair<uint32_t, uint32_t>> loader_areas(const Loader& l) {
  const uint32_t info = l.info();
  std::vector<std::pair<uint32_t, uint32_t>> areas = {
      {info, 88}, {l.word(info + 16), uint32_t(l.string_at(l.word(info + 16)).size() + 1)},
      {l.word(info + 48), l.word(info + 44)}, {l.word(info + 64), 5},
      {l.machine.cpu.gdtr.base, l.machine.cpu.gdtr.limit + 1u}};
  for (uint32_t i = 0; i < l.word(info + 20); ++i) {
    const uint32_t mod = l.word(info + 24) + 16 * i;
    areas.push_back({mod, 16});
    areas.push_back({l.word(mod), l.word(mod + 4) - l.word(mod)});
    areas.push_back({l.word(mod + 8), uint32_t(l.string_at(l.word(mod + 8)).size() + 1)});
  }
  return areas;
}

bool overlaps(std::pair<uint32_t, uint32_t> area, uint32_t start, uint32_t size) {
  return area.first < start + size && start < area.first + area.second;
}

// kvm-unit-tests' realmode.flat is linked at 0x8000: the loader's data goes
// after the image (as QEMU puts it), never over it, and below the EBDA.
TEST_CASE_METHOD(Loader, "multiboot: a kernel linked low keeps its memory; the loader's data follows it", "[multiboot]") {
  ElfShape s;
  s.paddr = 0x8000;
  s.memsz = 0x18000;  // up to 0x20000, over 0x9000 where the loader used to write
  std::memset(machine.ram.host(s.paddr + sizeof kCode), 0xCC, 0x100);
  load(elf32({s}, s.paddr), "low");
  CHECK(std::memcmp(machine.ram.host(s.paddr), kCode, sizeof kCode) == 0);
  CHECK(machine.ram.host(s.paddr + sizeof kCode)[0] == 0);  // bss zeroed
  for (auto area : loader_areas(*this)) {
    INFO("loader data at " << std::hex << area.first << "+" << area.second);
    CHECK_FALSE(overlaps(area, s.paddr, s.memsz));
    CHECK(area.first >= s.paddr + s.memsz);
    CHECK(area.first + area.second <= 0x9FC00);
  }
  CHECK(string_at(word(info() + 16)) == "low");
  CHECK(machine.cpu.eip == s.paddr);
}

TEST_CASE_METHOD(Loader, "multiboot: data that would reach the EBDA goes above 1 MiB", "[multiboot]") {
  ElfShape s;
  s.paddr = 0x8000;
  s.memsz = 0x9FC00 - 0x8000 - 0x100;  // the whole of low memory
  load(elf32({s}, s.paddr));
  for (auto area : loader_areas(*this)) CHECK(area.first >= 0x100000);
}

// GNU ld's default separate-code layout with -Ttext=0x100000 puts the ELF
// headers into a read-only PT_LOAD one page below: at 0xFF000.
TEST_CASE_METHOD(Loader, "multiboot: segments below 1 MiB and in the legacy hole load into RAM", "[multiboot]") {
  ElfShape headers;
  headers.paddr = 0xFF000;
  headers.offset = 0;
  headers.filesz = headers.memsz = kHeaderOffset + 12;
  ElfShape low;  // across the 640 KiB boundary
  low.paddr = 0x9F000;
  low.memsz = 0x3000;
  ElfShape text;
  const Bytes image = elf32({headers, low, text});
  load(image);
  CHECK(std::memcmp(machine.ram.host(0xFF000), image.data(), headers.filesz) == 0);
  CHECK(std::memcmp(machine.ram.host(0x9F000), kCode, sizeof kCode) == 0);
  CHECK(std::memcmp(machine.ram.host(kLoadAddr), kCode, sizeof kCode) == 0);
  CHECK(machine.cpu.eip == kLoadAddr);
  for (auto area : loader_areas(*this)) CHECK(area.first >= kLoadAddr + kMemSize);
}

// The BIOS area holds the firmware's tables (ACPI, MP) as on a PC, unless
// the kernel loads itself there.
TEST_CASE_METHOD(Loader, "multiboot: the firmware tables are in the BIOS area unless the kernel is", "[multiboot]") {
  load(minimal_elf32());
  CHECK(std::memcmp(machine.ram.host(0xF0000), "RSD PTR ", 8) == 0);
  CHECK(std::memcmp(machine.ram.host(0xF0800), "_MP_", 4) == 0);
}

TEST_CASE_METHOD(Loader, "multiboot: a kernel in the BIOS area keeps its bytes", "[multiboot]") {
  ElfShape bios;
  bios.paddr = 0xF0000;
  const Bytes image = elf32({bios}, 0xF0000);
  load(image);
  CHECK(std::memcmp(machine.ram.host(0xF0000), kCode, sizeof kCode) == 0);
  CHECK(std::memcmp(machine.ram.host(0xF0800), "_MP_", 4) != 0);
}

TEST_CASE_METHOD(Loader, "multiboot: --initrd files become modules, each with its own string", "[multiboot]") {
  Bytes first(5000);
  for (size_t i = 0; i < first.size(); ++i) first[i] = static_cast<uint8_t>(i * 7);
  const std::string a = dir.write("env", first), b = dir.write("empty", Bytes{});
  load(minimal_elf32(), "kernel args", {a + " testname=x  y", b});
  REQUIRE(word(info()) & 1u << 3);
  REQUIRE(word(info() + 20) == 2);
  const uint32_t mods = word(info() + 24);
  const uint32_t start0 = word(mods), end0 = word(mods + 4), start1 = word(mods + 16), end1 = word(mods + 20);
  CHECK(start0 % 0x1000 == 0);
  CHECK(start1 % 0x1000 == 0);
  CHECK(end0 - start0 == first.size());
  CHECK(std::memcmp(machine.ram.host(start0), first.data(), first.size()) == 0);
  CHECK(end1 == start1);
  CHECK(string_at(word(mods + 8)) == a + " testname=x  y");
  CHECK(string_at(word(mods + 24)) == b);
  CHECK(start0 >= kLoadAddr + kMemSize);
  CHECK(start1 >= end0);
  CHECK(string_at(word(info() + 16)) == "kernel args");
  const auto areas = loader_areas(*this);
  for (size_t i = 0; i < areas.size(); ++i)
    for (size_t j = i + 1; j < areas.size(); ++j) {
      INFO(std::hex << areas[i].first << "+" << areas[i].second << " and " << areas[j].first << "+" << areas[j].second);
      CHECK_FALSE((areas[i].second && areas[j].second && overlaps(areas[i], areas[j].first, areas[j].second)));
    }
}

TEST_CASE("multiboot: --initrd splits into modules at commas, ',,' being a comma", "[multiboot]") {
  using V = std::vector<std::string>;
  CHECK(bt86::split_module_list("") == V{});
  CHECK(bt86::split_module_list("a") == V{"a"});
  CHECK(bt86::split_module_list("a x=1,b") == V{"a x=1", "b"});
  CHECK(bt86::split_module_list("a,,b,c") == V{"a,b", "c"});
}
