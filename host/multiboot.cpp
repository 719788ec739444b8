#include "bt86/host/multiboot.h"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <vector>

namespace bt86 {

using namespace multiboot;

namespace {

struct Header {
  uint32_t magic, flags, checksum;
  uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError(fmt::format("cannot open kernel '{}': {}", path, std::strerror(errno)));
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.empty()) throw LoadError(fmt::format("kernel '{}' is empty", path));
  return data;
}

// The Multiboot header: 4-byte aligned within the first 8 KiB, checksummed.
std::optional<std::pair<Header, size_t>> find_header(const std::vector<uint8_t>& image) {
  size_t end = std::min<size_t>(image.size(), 8192);
  for (size_t off = 0; off + 12 <= end; off += 4) {
    Header h{};
    std::memcpy(&h, image.data() + off, std::min(sizeof h, image.size() - off));
    if (h.magic == kHeaderMagic && h.magic + h.flags + h.checksum == 0) return std::pair{h, off};
  }
  return std::nullopt;
}

void copy_into_ram(Machine& m, uint64_t gpa, const uint8_t* src, uint64_t len, uint64_t memsz, const std::string& what) {
  if (!m.ram.contains(gpa, memsz) || (gpa < 0x100000 && gpa + memsz > 0xA0000))
    throw LoadError(fmt::format("{} at {:#x}+{:#x} does not fit in guest RAM ({} MiB)", what, gpa, memsz,
                                m.ram.size() >> 20));
  if (gpa < kReservedEnd && gpa + memsz > kReservedStart)
    throw LoadError(fmt::format("{} at {:#x}+{:#x} overlaps the loader's own structures at {:#x}-{:#x}", what, gpa,
                                memsz, kReservedStart, kReservedEnd - 1));
  std::memcpy(m.ram.host(gpa), src, len);
  std::memset(m.ram.host(gpa + len), 0, memsz - len);
}

uint32_t load_elf(Machine& m, const std::vector<uint8_t>& image, const std::string& path) {
  if (image.size() < sizeof(Elf32_Ehdr) || std::memcmp(image.data(), ELFMAG, SELFMAG) != 0)
    throw LoadError(fmt::format("'{}' has a Multiboot header but is not an ELF file (and asks for no a.out kludge)", path));
  Elf32_Ehdr eh;
  std::memcpy(&eh, image.data(), sizeof eh);
  if (eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_machine != EM_386)
    throw LoadError(fmt::format("'{}' is not a 32-bit x86 ELF file", path));
  if (eh.e_phentsize != sizeof(Elf32_Phdr) || uint64_t{eh.e_phoff} + uint64_t{eh.e_phnum} * sizeof(Elf32_Phdr) > image.size())
    throw LoadError(fmt::format("'{}': malformed ELF program headers", path));
  unsigned loaded = 0;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf32_Phdr ph;
    std::memcpy(&ph, image.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz || uint64_t{ph.p_offset} + ph.p_filesz > image.size())
      throw LoadError(fmt::format("'{}': ELF segment {} lies outside the file", path, i));
    copy_into_ram(m, ph.p_paddr, image.data() + ph.p_offset, ph.p_filesz, ph.p_memsz, fmt::format("ELF segment {}", i));
    ++loaded;
  }
  if (!loaded) throw LoadError(fmt::format("'{}': ELF file has nothing to load", path));
  return eh.e_entry;
}

uint32_t load_aout_kludge(Machine& m, const std::vector<uint8_t>& image, const Header& h, size_t header_off) {
  if (h.header_addr < h.load_addr || h.header_addr - h.load_addr > header_off)
    throw LoadError("Multiboot a.out kludge: header_addr/load_addr are inconsistent");
  size_t file_start = header_off - (h.header_addr - h.load_addr);
  uint64_t load_end = h.load_end_addr ? h.load_end_addr : h.load_addr + (image.size() - file_start);
  uint64_t len = load_end - h.load_addr;
  if (load_end < h.load_addr || file_start + len > image.size()) throw LoadError("Multiboot a.out kludge: load range beyond the file");
  uint64_t memsz = std::max<uint64_t>(len, h.bss_end_addr ? h.bss_end_addr - h.load_addr : len);
  copy_into_ram(m, h.load_addr, image.data() + file_start, len, memsz, "kernel image");
  return h.entry_addr;
}

// A small GDT so the kernel can reload the flat selectors it was entered with.
void write_gdt(Machine& m) {
  const uint64_t gdt[3] = {0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull};
  std::memcpy(m.ram.host(kGdtAddr), gdt, sizeof gdt);
  m.cpu.gdtr = {kGdtAddr, sizeof gdt - 1};
}

void write_info(Machine& m, const std::string& command_line) {
  uint32_t ram_kib = static_cast<uint32_t>(m.ram.size() >> 10);
  uint32_t info[22] = {};
  uint32_t cmdline_addr = kInfoAddr + 0x100, name_addr = kInfoAddr + 0x80, mmap_addr = kInfoAddr + 0x1100;
  info[0] = 1u << 0 | 1u << 2 | 1u << 6 | 1u << 9;  // mem, cmdline, mmap, boot loader name
  info[1] = 640;                                   // mem_lower (KiB)
  info[2] = ram_kib - 1024;                        // mem_upper (KiB above 1 MiB)
  info[4] = cmdline_addr;
  struct [[gnu::packed]] MmapEntry { uint32_t size; uint64_t addr, len; uint32_t type; };
  const MmapEntry mmap[] = {{20, 0, 0x9FC00, 1}, {20, 0x9FC00, 0x400, 2}, {20, 0xF0000, 0x10000, 2},
                            {20, 0x100000, m.ram.size() - 0x100000, 1}};
  info[11] = sizeof mmap;
  info[12] = mmap_addr;
  info[16] = name_addr;
  std::string cmd = command_line.substr(0, 0xFFF);
  std::memcpy(m.ram.host(kInfoAddr), info, sizeof info);
  std::memcpy(m.ram.host(name_addr), "bt86", 5);
  std::memcpy(m.ram.host(cmdline_addr), cmd.c_str(), cmd.size() + 1);
  std::memcpy(m.ram.host(mmap_addr), mmap, sizeof mmap);
}

}  // namespace

void load_multiboot(Machine& m, const std::string& path, const std::string& command_line) {
  if (m.ram.size() < (2u << 20)) throw LoadError("guest memory must be at least 2 MiB for a Multiboot kernel");
  std::vector<uint8_t> image = read_file(path);
  auto found = find_header(image);
  if (!found) throw LoadError(fmt::format("'{}' is not a Multiboot kernel (no valid Multiboot header in its first 8 KiB)", path));
  auto [header, offset] = *found;
  if (header.flags & 0x0000FFFC)
    throw LoadError(fmt::format("'{}' asks for Multiboot features this loader lacks (flags {:#x})", path, header.flags));
  uint32_t entry = header.flags & (1u << 16) ? load_aout_kludge(m, image, header, offset) : load_elf(m, image, path);

  write_gdt(m);
  write_info(m, command_line);
  CpuState& cpu = m.cpu;
  cpu.gpr[kEax] = kBootMagic;
  cpu.gpr[kEbx] = kInfoAddr;
  cpu.gpr[kEsp] = 0x7000;  // undefined by the spec; something harmless
  cpu.eip = entry;
  cpu.eflags = eflags::kFixed1;
  cpu.cr0 = cr0::kPE | cr0::kET;
  load_flat(cpu.seg[kCs], kCodeSelector, true);
  for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) load_flat(cpu.seg[s], kDataSelector, false);
  cpu.idtr = {0, 0};
}

}  // namespace bt86
