#include "bt86/host/linux_boot.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include "bt86/host/acpi_tables.h"
#include "bt86/host/memory_map.h"

namespace bt86 {

using namespace linux_boot;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes read_nonempty_file(const std::string& path, const char* what) {
  Bytes data = read_file(path, what);
  if (data.empty()) throw LoadError(fmt::format("{} '{}' is empty", what, path));
  return data;
}

template <typename T>
T get(const Bytes& b, size_t off) {
  T v{};
  std::memcpy(&v, b.data() + off, sizeof v);
  return v;
}

template <typename T>
void poke(Machine& m, uint32_t gpa, T v) {
  std::memcpy(m.ram.host(gpa), &v, sizeof v);
}

uint64_t align_up(uint64_t v, uint64_t a) { return a > 1 ? (v + a - 1) / a * a : v; }

// What the loader needs from the kernel file's setup header.
struct Kernel {
  uint16_t version;
  size_t header_end;  // one past the setup header in the file
  size_t pm_offset;   // the protected-mode part starts here in the file
  size_t pm_size;
  uint32_t initrd_addr_max, cmdline_size;
  uint64_t end;  // first byte above everything the kernel uses while it boots
};

Kernel parse_kernel(const Bytes& f, const std::string& path, uint64_t ram_size) {
  if (f.size() < bp::kHeader + 8 || get<uint32_t>(f, bp::kHeader) != bp::kMagic)
    throw LoadError(fmt::format("'{}' is not a Linux bzImage (no \"HdrS\" signature at offset 0x202)", path));
  Kernel k{};
  k.version = get<uint16_t>(f, bp::kVersion);
  if (k.version < kMinProtocol)
    throw LoadError(fmt::format("'{}' speaks Linux boot protocol {}.{:02}; bt86 needs 2.04 or later", path,
                                k.version >> 8, k.version & 0xFF));
  k.header_end = bp::kHeader + f[bp::kJump + 1];  // the jump's target ends the header
  if (k.header_end > bp::kHeaderLimit)
    throw LoadError(fmt::format("'{}': malformed setup header (it claims to end at {:#x}, past {:#x})", path,
                                k.header_end, bp::kHeaderLimit));
  // It must reach the last field of its protocol version that the loader reads.
  size_t needed_end = k.version >= 0x020A ? bp::kInitSize + 4 : k.version >= 0x0206 ? bp::kCmdlineSize + 4
                                                                                    : bp::kInitrdAddrMax + 4;
  if (k.header_end > f.size() || k.header_end < needed_end)
    throw LoadError(fmt::format("'{}': malformed setup header (it ends at {:#x}; protocol {}.{:02} needs {:#x})",
                                path, k.header_end, k.version >> 8, k.version & 0xFF, needed_end));
  if (!(f[bp::kLoadFlags] & bp::kLoadedHigh))
    throw LoadError(fmt::format("'{}' is a zImage (loaded low); only bzImage kernels are supported", path));

  unsigned setup_sects = f[bp::kSetupSects] ? f[bp::kSetupSects] : 4;
  k.pm_offset = (setup_sects + 1) * 512ull;
  uint64_t syssize = uint64_t{get<uint32_t>(f, bp::kSysSize)} * 16;
  if (k.pm_offset >= f.size() || f.size() - k.pm_offset < syssize)
    throw LoadError(fmt::format("'{}' is truncated: {} setup sectors and {:#x} bytes of kernel need {:#x} bytes, "
                                "the file has {:#x}", path, setup_sects, syssize, k.pm_offset + syssize, f.size()));
  k.pm_size = f.size() - k.pm_offset;

  k.initrd_addr_max = get<uint32_t>(f, bp::kInitrdAddrMax);
  k.cmdline_size = k.version >= 0x0206 ? get<uint32_t>(f, bp::kCmdlineSize) : 255;

  // The decompressor works in [start, start + init_size), where start is the
  // preferred address, or the aligned load address when that is higher and
  // the kernel is relocatable (arch/x86/boot/compressed/head_32.S).
  uint64_t start = kKernelAddr, init_size = 0;
  if (k.version >= 0x020A) {
    uint64_t pref = get<uint64_t>(f, bp::kPrefAddress);
    init_size = get<uint32_t>(f, bp::kInitSize);
    bool relocatable = f[bp::kRelocatable] != 0;
    uint64_t aligned = align_up(kKernelAddr, get<uint32_t>(f, bp::kKernelAlignment));
    start = relocatable ? std::max(aligned, pref) : std::max<uint64_t>(pref, kKernelAddr);
  }
  k.end = std::max(kKernelAddr + k.pm_size, start + init_size);
  if (k.end > ram_size)
    throw LoadError(fmt::format("'{}' needs guest RAM up to {} MiB while it boots; the guest has {} MiB", path,
                                (k.end + 0xFFFFF) >> 20, ram_size >> 20));
  return k;
}

// Places the initrd page-aligned as high as the kernel can reach it, above
// everything the kernel uses while it boots. Returns its address.
uint32_t place_initrd(Machine& m, const Kernel& k, const Bytes& initrd, const std::string& path) {
  uint64_t top = std::min({m.ram.size(), kLowmemLimit, uint64_t{k.initrd_addr_max} + 1});
  uint64_t addr = initrd.size() <= top ? (top - initrd.size()) & ~uint64_t{0xFFF} : 0;
  if (addr < k.end)
    throw LoadError(fmt::format("initrd '{}' ({:.1f} MiB) does not fit between the kernel (up to {:#x}) and the "
                                "highest address the kernel can reach ({:#x}); give the guest more memory",
                                path, initrd.size() / 1048576.0, k.end, top));
  std::memcpy(m.ram.host(addr), initrd.data(), initrd.size());
  return static_cast<uint32_t>(addr);
}

void check_command_line(const Kernel& k, const std::string& cmdline) {
  uint64_t capacity = std::min<uint64_t>(k.cmdline_size, kCmdlineLimit - kCmdlineAddr - 1);
  if (cmdline.size() > capacity)
    throw LoadError(fmt::format("the kernel command line is {} bytes long; this kernel accepts at most {}",
                                cmdline.size(), capacity));
}

// The BIOS memory map the kernel would have asked INT 15h/E820 for.
void write_e820(Machine& m) {
  struct [[gnu::packed]] Entry { uint64_t addr, size; uint32_t type; };
  static_assert(sizeof(Entry) == 20);
  const std::vector<E820Entry> map = pc_memory_map(m.ram.size());
  if (map.size() > bp::kE820Max) throw std::logic_error("the memory map outgrew the zero page's E820 table");
  for (size_t i = 0; i < map.size(); ++i) {
    const Entry e{map[i].addr, map[i].size, map[i].type};
    std::memcpy(m.ram.host(kBootParamsAddr + bp::kE820Table + i * sizeof e), &e, sizeof e);
  }
  poke<uint8_t>(m, kBootParamsAddr + bp::kE820Entries, static_cast<uint8_t>(map.size()));
}

void write_boot_params(Machine& m, const Bytes& f, const Kernel& k, uint32_t initrd_addr, uint32_t initrd_size) {
  const uint32_t zp = kBootParamsAddr;
  std::memset(m.ram.host(zp), 0, 4096);
  std::memcpy(m.ram.host(zp + bp::kSetupSects), f.data() + bp::kSetupSects, k.header_end - bp::kSetupSects);
  poke<uint8_t>(m, zp + bp::kTypeOfLoader, 0xFF);  // "undefined" loader
  uint8_t flags = f[bp::kLoadFlags];
  flags = static_cast<uint8_t>((flags | bp::kLoadedHigh | bp::kCanUseHeap) & ~(bp::kKeepSegments | bp::kQuiet));
  poke<uint8_t>(m, zp + bp::kLoadFlags, flags);
  poke<uint16_t>(m, zp + bp::kHeapEndPtr, 0xE000 - 0x200);  // boot.rst's sample layout
  poke<uint32_t>(m, zp + bp::kCode32Start, kKernelAddr);
  poke<uint32_t>(m, zp + bp::kCmdLinePtr, kCmdlineAddr);
  poke<uint32_t>(m, zp + bp::kRamdiskImage, initrd_addr);
  poke<uint32_t>(m, zp + bp::kRamdiskSize, initrd_size);
  poke<uint32_t>(m, zp + bp::kAltMemK, static_cast<uint32_t>((m.ram.size() - kKernelAddr) >> 10));
  write_e820(m);
}

// Null, unused, __BOOT_CS (flat execute/read), __BOOT_DS (flat read/write).
void write_gdt(Machine& m) {
  const uint64_t gdt[4] = {0, 0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull};
  static_assert(kBootCs == 2 * 8 && kBootDs == 3 * 8);
  std::memcpy(m.ram.host(kGdtAddr), gdt, sizeof gdt);
  m.cpu.gdtr = {kGdtAddr, sizeof gdt - 1};
}

void enter_32bit(CpuState& cpu) {
  std::fill(std::begin(cpu.gpr), std::end(cpu.gpr), 0u);  // EBP, EDI, EBX must be zero
  cpu.gpr[kEsi] = kBootParamsAddr;
  cpu.gpr[kEsp] = kStackTop;
  cpu.eip = kKernelAddr;
  cpu.eflags = eflags::kFixed1;  // interrupts off
  cpu.cr0 = cr0::kPE | cr0::kET;  // paging off
  load_flat(cpu.seg[kCs], kBootCs, true);
  for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) load_flat(cpu.seg[s], kBootDs, false);
  cpu.idtr = {0, 0};
}

}  // namespace

bool is_bzimage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char buf[bp::kHeader + 4];
  if (!in.read(buf, sizeof buf)) return false;
  uint32_t magic;
  std::memcpy(&magic, buf + bp::kHeader, 4);
  return magic == bp::kMagic;
}

void load_linux(Machine& m, const std::string& bzimage, const std::string& initrd,
                const std::string& command_line) {
  if (m.ram.size() < (2u << 20)) throw LoadError("guest memory must be at least 2 MiB for a Linux kernel");
  Bytes file = read_nonempty_file(bzimage, "kernel");
  Kernel k = parse_kernel(file, bzimage, m.ram.size());
  check_command_line(k, command_line);

  uint32_t initrd_addr = 0, initrd_size = 0;
  if (!initrd.empty()) {
    Bytes data = read_nonempty_file(initrd, "initrd");
    initrd_addr = place_initrd(m, k, data, initrd);
    initrd_size = static_cast<uint32_t>(data.size());
  }
  std::memcpy(m.ram.host(kKernelAddr), file.data() + k.pm_offset, k.pm_size);
  std::memcpy(m.ram.host(kCmdlineAddr), command_line.c_str(), command_line.size() + 1);
  write_boot_params(m, file, k, initrd_addr, initrd_size);
  write_gdt(m);
  write_firmware_tables(m.ram);
  enter_32bit(m.cpu);
}

}  // namespace bt86
