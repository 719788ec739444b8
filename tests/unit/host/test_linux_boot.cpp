// host/linux_boot.h: hand-built bzImages (a setup header and a payload, no
// real code) load into the zero page, memory and CPU state that the Linux
// x86 32-bit boot protocol defines; every malformed input is a LoadError.
#include "bt86/host/linux_boot.h"

#include "multiboot_image.h"  // TempDir, Bytes, put

using namespace bt86::test;
using namespace bt86::linux_boot;
using bt86::LoadError;

namespace {

constexpr uint64_t kRam = 64ull << 20;
// Like Debian's kernels: relocatable, 16 MiB preferred address and alignment.
constexpr uint32_t kPref = 0x1000000, kInitSize = 0x1000000, kKernelEnd = kPref + kInitSize;
constexpr uint32_t kPayload = 0x1000;
constexpr size_t kHeaderEnd = 0x26C;  // protocol 2.15's setup header

struct Shape {
  uint8_t setup_sects = 4;
  uint16_t version = 0x020F;
  uint8_t loadflags = bp::kLoadedHigh | bp::kKeepSegments | bp::kQuiet;  // the loader clears the last two
  uint32_t initrd_addr_max = 0x7FFFFFFF;
  uint32_t payload = kPayload;
  uint32_t syssize = kPayload / 16;
  size_t header_end = kHeaderEnd;
};

Bytes bzimage(const Shape& s = {}) {
  unsigned sects = s.setup_sects ? s.setup_sects : 4;
  Bytes f((sects + 1) * 512 + s.payload, 0);
  for (size_t i = 0; i < s.payload; ++i) f[(sects + 1) * 512 + i] = static_cast<uint8_t>(i * 7 + 1);
  f[bp::kSetupSects] = s.setup_sects;
  put(f, bp::kSysSize, s.syssize);
  put(f, bp::kBootFlag, uint16_t{0xAA55});
  f[bp::kJump] = 0xEB;
  f[bp::kJump + 1] = static_cast<uint8_t>(s.header_end - bp::kHeader);
  put(f, bp::kHeader, bp::kMagic);
  put(f, bp::kVersion, s.version);
  f[bp::kLoadFlags] = s.loadflags;
  put(f, bp::kCode32Start, uint32_t{0x100000});
  put(f, bp::kInitrdAddrMax, s.initrd_addr_max);
  put(f, bp::kKernelAlignment, uint32_t{0x1000000});
  f[bp::kRelocatable] = 1;
  put(f, bp::kCmdlineSize, uint32_t{0x7FF});
  put(f, bp::kPrefAddress, uint64_t{kPref});
  put(f, bp::kInitSize, kInitSize);
  // Setup code right after the header: must not reach the zero page.
  for (size_t i = s.header_end; i < bp::kHeaderLimit; ++i) f[i] = 0x5A;
  return f;
}

struct LinuxLoader {
  TempDir dir;
  bt86::Machine machine;
  explicit LinuxLoader(uint64_t ram = kRam) : machine{bt86::MachineConfig{ram, [](uint8_t) {}}} {}

  void load(const Bytes& kernel, const std::string& cmdline = "", const Bytes* initrd = nullptr) {
    std::string initrd_path = initrd ? dir.write("initrd", *initrd) : "";
    bt86::load_linux(machine, dir.write("bzImage", kernel), initrd_path, cmdline);
  }
  template <typename T = uint32_t>
  T at(uint64_t gpa) const {
    T v;
    std::memcpy(&v, machine.ram.host(gpa), sizeof v);
    return v;
  }
  template <typename T = uint32_t>
  T zp(uint32_t offset) const { return at<T>(kBootParamsAddr + offset); }
};

uint32_t get_word(const Bytes& b, size_t off) {
  uint32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}

Bytes initrd_of(size_t size) {
  Bytes b(size);
  for (size_t i = 0; i < size; ++i) b[i] = static_cast<uint8_t>(i * 13 + 5);
  return b;
}

}  // namespace

TEST_CASE("linux: is_bzimage looks for HdrS at 0x202", "[linux]") {
  TempDir dir;
  CHECK(bt86::is_bzimage(dir.write("bz", bzimage())));
  CHECK_FALSE(bt86::is_bzimage(dir.write("elf", minimal_elf32())));
  CHECK_FALSE(bt86::is_bzimage(dir.write("short", Bytes(0x100, 0))));
  CHECK_FALSE(bt86::is_bzimage((dir.path / "missing").string()));
}

TEST_CASE("linux: the kernel loads at 1 MiB and the zero page holds its setup header", "[linux]") {
  LinuxLoader l;
  std::memset(l.machine.ram.host(kBootParamsAddr), 0xCC, 4096);  // zeroing is observable
  const Bytes f = bzimage();
  const std::string cmdline = "console=ttyS0 bt86.script=1";
  l.load(f, cmdline);

  CHECK(std::memcmp(l.machine.ram.host(kKernelAddr), f.data() + 5 * 512, kPayload) == 0);

  // Everything outside the setup header is zero, bar the loader's own fields.
  for (uint32_t off : {0u, 0x100u, 0x1F0u, 0x26Cu, 0x28Fu, 0xFFFu}) CHECK(l.zp<uint8_t>(off) == 0);
  // The header is the file's, byte for byte, except the fields a loader writes.
  for (uint32_t off : {bp::kSetupSects, bp::kSysSize, bp::kBootFlag, bp::kHeader, bp::kVersion,
                       bp::kInitrdAddrMax, bp::kKernelAlignment, bp::kCmdlineSize, bp::kInitSize})
    CHECK(l.zp(off) == get_word(f, off));
  CHECK(l.zp<uint8_t>(bp::kTypeOfLoader) == 0xFF);
  CHECK(l.zp<uint8_t>(bp::kLoadFlags) == (bp::kLoadedHigh | bp::kCanUseHeap));
  CHECK(l.zp<uint16_t>(bp::kHeapEndPtr) == 0xE000 - 0x200);
  CHECK(l.zp(bp::kCode32Start) == kKernelAddr);
  CHECK(l.zp(bp::kRamdiskImage) == 0);
  CHECK(l.zp(bp::kRamdiskSize) == 0);
  CHECK(l.zp(bp::kAltMemK) == (kRam - kKernelAddr) >> 10);

  uint32_t cmd = l.zp(bp::kCmdLinePtr);
  REQUIRE(cmd == kCmdlineAddr);
  CHECK(std::string(reinterpret_cast<const char*>(l.machine.ram.host(cmd))) == cmdline);
}

TEST_CASE("linux: setup_sects 0 means 4", "[linux]") {
  LinuxLoader l;
  Shape s;
  s.setup_sects = 0;
  const Bytes f = bzimage(s);
  l.load(f);
  CHECK(std::memcmp(l.machine.ram.host(kKernelAddr), f.data() + 5 * 512, kPayload) == 0);
}

TEST_CASE("linux: the CPU enters in 32-bit protected mode as the boot protocol defines", "[linux]") {
  LinuxLoader l;
  l.machine.cpu.gpr[bt86::kEbx] = l.machine.cpu.gpr[bt86::kEbp] = l.machine.cpu.gpr[bt86::kEdi] = 0x1234;
  l.load(bzimage());
  const bt86::CpuState& cpu = l.machine.cpu;
  CHECK(cpu.eip == kKernelAddr);
  CHECK(cpu.gpr[bt86::kEsi] == kBootParamsAddr);
  CHECK(cpu.gpr[bt86::kEbx] == 0);
  CHECK(cpu.gpr[bt86::kEbp] == 0);
  CHECK(cpu.gpr[bt86::kEdi] == 0);
  CHECK(cpu.protected_mode());
  CHECK_FALSE(cpu.paging());
  CHECK((cpu.eflags & bt86::eflags::kIF) == 0);
  CHECK(cpu.code32());
  CHECK(cpu.cpl() == 0);

  const bt86::SegmentCache& cs = cpu.seg[bt86::kCs];
  CHECK(cs.selector == 0x10);
  CHECK(cs.base == 0);
  CHECK(cs.limit == 0xFFFFFFFFu);
  CHECK((cs.access & 0x1A) == 0x1A);  // code, readable
  for (unsigned s : {bt86::kDs, bt86::kEs, bt86::kSs}) {
    CHECK(cpu.seg[s].selector == 0x18);
    CHECK(cpu.seg[s].base == 0);
    CHECK(cpu.seg[s].limit == 0xFFFFFFFFu);
    CHECK((cpu.seg[s].access & 0x1A) == 0x12);  // data, writable
  }
  // The GDT in guest memory describes the same segments, for reloads.
  REQUIRE(cpu.gdtr.limit >= 0x1F);
  CHECK(l.at<uint64_t>(cpu.gdtr.base + 0x10) == 0x00CF9A000000FFFFull);
  CHECK(l.at<uint64_t>(cpu.gdtr.base + 0x18) == 0x00CF92000000FFFFull);
  CHECK(cpu.gdtr.base + cpu.gdtr.limit < kBootParamsAddr);
}

TEST_CASE("linux: the e820 map covers low memory and RAM above 1 MiB", "[linux]") {
  LinuxLoader l;
  l.load(bzimage());
  struct E { uint64_t addr, size; uint32_t type; };
  const E expected[] = {{0, 0x9FC00, 1}, {0x9FC00, 0x400, 2}, {0xF0000, 0x10000, 2}, {0x100000, kRam - 0x100000, 1}};
  REQUIRE(l.zp<uint8_t>(bp::kE820Entries) == std::size(expected));
  for (size_t i = 0; i < std::size(expected); ++i) {
    uint32_t e = bp::kE820Table + static_cast<uint32_t>(i) * 20;
    INFO("entry " << i);
    CHECK(l.zp<uint64_t>(e) == expected[i].addr);
    CHECK(l.zp<uint64_t>(e + 8) == expected[i].size);
    CHECK(l.zp(e + 16) == expected[i].type);
  }
}

TEST_CASE("linux: the initrd goes page-aligned to the top of reachable RAM", "[linux]") {
  const Bytes initrd = initrd_of(0x12345);
  SECTION("below the end of RAM") {
    LinuxLoader l;
    l.load(bzimage(), "", &initrd);
    uint32_t addr = l.zp(bp::kRamdiskImage);
    CHECK(l.zp(bp::kRamdiskSize) == initrd.size());
    CHECK(addr % 4096 == 0);
    CHECK(addr + initrd.size() <= kRam);
    CHECK(addr + initrd.size() > kRam - 4096);
    CHECK(std::memcmp(l.machine.ram.host(addr), initrd.data(), initrd.size()) == 0);
  }
  SECTION("below the kernel's initrd_addr_max") {
    LinuxLoader l;
    Shape s;
    s.initrd_addr_max = 0x2FFFFFF;
    l.load(bzimage(s), "", &initrd);
    uint32_t addr = l.zp(bp::kRamdiskImage);
    CHECK(addr + initrd.size() <= 0x3000000);
    CHECK(addr + initrd.size() > 0x3000000 - 4096);
  }
  SECTION("below the 896 MiB a 32-bit kernel maps, with more RAM than that") {
    LinuxLoader l(1ull << 30);
    l.load(bzimage(), "", &initrd);
    uint32_t addr = l.zp(bp::kRamdiskImage);
    CHECK(addr + initrd.size() <= kLowmemLimit);
    CHECK(addr + initrd.size() > kLowmemLimit - 4096);
    CHECK(std::memcmp(l.machine.ram.host(addr), initrd.data(), initrd.size()) == 0);
  }
}

TEST_CASE("linux: unreadable, empty and foreign files are refused", "[linux]") {
  LinuxLoader l;
  CHECK_THROWS_WITH(bt86::load_linux(l.machine, (l.dir.path / "missing").string(), "", ""),
                    Catch::Contains("cannot open kernel"));
  CHECK_THROWS_WITH(l.load({}), Catch::Contains("is empty"));
  CHECK_THROWS_WITH(l.load(minimal_elf32()), Catch::Contains("not a Linux bzImage"));
}

TEST_CASE("linux: malformed headers are refused", "[linux]") {
  LinuxLoader l;
  Shape s;
  std::string why;
  SECTION("protocol 2.03") { s.version = 0x0203; why = "needs 2.04 or later"; }
  SECTION("a zImage") { s.loadflags = 0; why = "zImage"; }
  SECTION("a header past its room in the zero page") { s.header_end = 0x2A0; why = "malformed setup header"; }
  SECTION("a header too short for its version") { s.header_end = 0x240; why = "malformed setup header"; }
  SECTION("a kernel shorter than syssize") { s.syssize = kPayload / 16 + 1; why = "is truncated"; }
  SECTION("setup sectors past the end of the file") {
    s.setup_sects = 20;
    Bytes f = bzimage(s);
    f.resize(10 * 512);
    CHECK_THROWS_WITH(l.load(f), Catch::Contains("is truncated"));
    return;
  }
  CHECK_THROWS_WITH(l.load(bzimage(s)), Catch::Contains(why));
}

TEST_CASE("linux: a kernel that does not fit in RAM is refused", "[linux]") {
  LinuxLoader l(kKernelEnd - 0x100000);  // init_size from the preferred address needs kKernelEnd
  CHECK_THROWS_WITH(l.load(bzimage()), Catch::Contains("needs guest RAM up to 32 MiB"));
}

TEST_CASE("linux: bad initrds and command lines are refused", "[linux]") {
  LinuxLoader l;
  SECTION("missing initrd") {
    CHECK_THROWS_WITH(bt86::load_linux(l.machine, l.dir.write("bz", bzimage()), (l.dir.path / "nope").string(), ""),
                      Catch::Contains("cannot open initrd"));
  }
  SECTION("empty initrd") {
    Bytes empty;
    CHECK_THROWS_WITH(l.load(bzimage(), "", &empty), Catch::Contains("initrd"));
  }
  SECTION("an initrd that would overlap the kernel") {
    Bytes big = initrd_of(kRam - kKernelEnd + 1);
    CHECK_THROWS_WITH(l.load(bzimage(), "", &big), Catch::Contains("does not fit"));
  }
  SECTION("a command line longer than cmdline_size") {
    CHECK_THROWS_WITH(l.load(bzimage(), std::string(0x800, 'x')), Catch::Contains("accepts at most 2047"));
    CHECK_NOTHROW(l.load(bzimage(), std::string(0x7FF, 'x')));
  }
}
