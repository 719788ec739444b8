#include "bt86/host/multiboot.h"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <vector>

#include "bt86/host/acpi_tables.h"
#include "bt86/host/memory_map.h"

namespace bt86 {

using namespace multiboot;

namespace {

constexpr uint64_t kPage = 0x1000;
constexpr uint64_t kLowRamEnd = 0x9FC00;  // the EBDA and the legacy hole above
constexpr uint64_t kHighRam = 0x100000;
constexpr uint32_t kStackTop = 0x7000;  // ESP is undefined by the spec; something harmless

struct Header {
  uint32_t magic, flags, checksum;
  uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

// Where the kernel went: its entry point, its lowest byte and the first
// byte past it.
struct Image {
  uint32_t entry = 0;
  uint64_t end = 0;
  uint64_t start = UINT64_MAX;
};

uint64_t page_up(uint64_t a) { return (a + kPage - 1) & ~(kPage - 1); }

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

// Any part of guest RAM may be loaded, the first MiB included; in the
// legacy hole (0xA0000-0xFFFFF) the RAM underneath is written, as on QEMU's
// pc machine.
void copy_into_ram(Machine& m, uint64_t gpa, const uint8_t* src, uint64_t len, uint64_t memsz, const std::string& what,
                   Image& image) {
  if (gpa + memsz > (1ull << 32))
    throw LoadError(fmt::format("{} at {:#x}+{:#x} runs past the 4 GiB end of the physical address space", what, gpa,
                                memsz));
  if (!m.ram.contains(gpa, memsz))
    throw LoadError(fmt::format("{} at {:#x}+{:#x} ends beyond guest RAM ({} MiB): give the guest more --memory", what,
                                gpa, memsz, m.ram.size() >> 20));
  // SAFETY: contains() checked the whole range.
  std::memcpy(m.ram.host(gpa), src, len);
  std::memset(m.ram.host(gpa + len), 0, memsz - len);
  image.end = std::max(image.end, gpa + memsz);
  image.start = std::min(image.start, gpa);
}

Image load_elf(Machine& m, const std::vector<uint8_t>& file, const std::string& path) {
  if (file.size() < sizeof(Elf32_Ehdr) || std::memcmp(file.data(), ELFMAG, SELFMAG) != 0)
    throw LoadError(fmt::format("'{}' has a Multiboot header but is not an ELF file (and asks for no a.out kludge)", path));
  Elf32_Ehdr eh;
  std::memcpy(&eh, file.data(), sizeof eh);
  if (eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_machine != EM_386)
    throw LoadError(fmt::format("'{}' is not a 32-bit x86 ELF file", path));
  if (eh.e_phentsize != sizeof(Elf32_Phdr) || uint64_t{eh.e_phoff} + uint64_t{eh.e_phnum} * sizeof(Elf32_Phdr) > file.size())
    throw LoadError(fmt::format("'{}': malformed ELF program headers", path));
  Image image{eh.e_entry, 0};
  unsigned loaded = 0;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf32_Phdr ph;
    std::memcpy(&ph, file.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz || uint64_t{ph.p_offset} + ph.p_filesz > file.size())
      throw LoadError(fmt::format("'{}': ELF segment {} lies outside the file", path, i));
    copy_into_ram(m, ph.p_paddr, file.data() + ph.p_offset, ph.p_filesz, ph.p_memsz, fmt::format("ELF segment {}", i),
                  image);
    ++loaded;
  }
  if (!loaded) throw LoadError(fmt::format("'{}': ELF file has nothing to load", path));
  return image;
}

Image load_aout_kludge(Machine& m, const std::vector<uint8_t>& file, const Header& h, size_t header_off) {
  if (h.header_addr < h.load_addr || h.header_addr - h.load_addr > header_off)
    throw LoadError("Multiboot a.out kludge: header_addr/load_addr are inconsistent");
  size_t file_start = header_off - (h.header_addr - h.load_addr);
  uint64_t load_end = h.load_end_addr ? h.load_end_addr : h.load_addr + (file.size() - file_start);
  uint64_t len = load_end - h.load_addr;
  if (load_end < h.load_addr || file_start + len > file.size()) throw LoadError("Multiboot a.out kludge: load range beyond the file");
  uint64_t memsz = std::max<uint64_t>(len, h.bss_end_addr ? h.bss_end_addr - h.load_addr : len);
  Image image{h.entry_addr, 0};
  copy_into_ram(m, h.load_addr, file.data() + file_start, len, memsz, "kernel image", image);
  return image;
}

// Hands out guest RAM after the kernel, as QEMU places the information
// structure and the modules: from the first page past the image, or from
// 1 MiB when the image lies low and the data would reach the EBDA.
class Placer {
public:
  Placer(Machine& m, uint64_t image_end) : m_(m), next_(page_up(image_end)) {}
  // `size` bytes at `align`; throws when RAM is too small.
  uint32_t take(uint64_t size, uint64_t align, const std::string& what) {
    uint64_t at = (next_ + align - 1) & ~(align - 1);
    if (at < kHighRam && at + size > kLowRamEnd) at = kHighRam;
    if (!m_.ram.contains(at, size))
      throw LoadError(fmt::format("{} ({} bytes) does not fit in guest RAM ({} MiB) after the kernel: give the "
                                  "guest more --memory", what, size, m_.ram.size() >> 20));
    next_ = at + size;
    return static_cast<uint32_t>(at);
  }
  template <class T>
  uint32_t put(const T* data, size_t count, uint64_t align, const std::string& what) {
    uint32_t at = take(count * sizeof(T), align, what);
    // SAFETY: take() checked the range against guest RAM.
    std::memcpy(m_.ram.host(at), data, count * sizeof(T));
    return at;
  }
  uint32_t put_string(const std::string& s, const std::string& what) { return put(s.c_str(), s.size() + 1, 1, what); }

private:
  Machine& m_;
  uint64_t next_;
};

// A small GDT so the kernel can reload the flat selectors it was entered with.
void write_gdt(Machine& m, Placer& placer) {
  const uint64_t gdt[3] = {0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull};
  m.cpu.gdtr = {placer.put(gdt, 3, 8, "the loader's GDT"), sizeof gdt - 1};
}

struct ModuleEntry {
  uint32_t start, end, string, reserved;
};

// Each module's file page-aligned (Multiboot flag 0), then its entry.
std::vector<ModuleEntry> load_modules(Machine& m, Placer& placer, const std::vector<std::string>& modules) {
  std::vector<ModuleEntry> entries;
  for (const std::string& spec : modules) {
    const std::string file = spec.substr(0, spec.find(' '));
    std::vector<uint8_t> data = read_file(file, "Multiboot module");
    const uint32_t start = placer.take(std::max<uint64_t>(data.size(), 1), kPage, fmt::format("module '{}'", file));
    // SAFETY: take() checked the range against guest RAM.
    std::memcpy(m.ram.host(start), data.data(), data.size());
    entries.push_back({start, static_cast<uint32_t>(start + data.size()), 0, 0});
  }
  for (size_t i = 0; i < modules.size(); ++i) entries[i].string = placer.put_string(modules[i], "a module's command line");
  return entries;
}

uint32_t write_info(Machine& m, Placer& placer, const std::string& command_line, const std::vector<ModuleEntry>& mods) {
  const uint32_t ram_kib = static_cast<uint32_t>(m.ram.size() >> 10);
  struct [[gnu::packed]] MmapEntry { uint32_t size; uint64_t addr, len; uint32_t type; };
  std::vector<MmapEntry> mmap;
  for (const E820Entry& e : pc_memory_map(m.ram.size())) mmap.push_back({20, e.addr, e.size, e.type});
  uint32_t info[22] = {};
  info[0] = 1u << 0 | 1u << 2 | 1u << 3 | 1u << 6 | 1u << 9;  // mem, cmdline, mods, mmap, boot loader name
  info[1] = 640;                                             // mem_lower (KiB)
  info[2] = ram_kib - 1024;                                  // mem_upper (KiB above 1 MiB)
  info[4] = placer.put_string(command_line, "the kernel command line");
  info[5] = static_cast<uint32_t>(mods.size());
  info[6] = mods.empty() ? 0 : placer.put(mods.data(), mods.size(), 4, "the module list");
  info[11] = static_cast<uint32_t>(mmap.size() * sizeof(MmapEntry));
  info[12] = placer.put(mmap.data(), mmap.size(), 4, "the memory map");
  info[16] = placer.put_string("bt86", "the boot loader name");
  return placer.put(info, std::size(info), 4, "the Multiboot information");
}

}  // namespace

std::vector<uint8_t> read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError(fmt::format("cannot open {} '{}': {}", what, path, std::strerror(errno)));
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return data;
}


std::vector<std::string> split_module_list(const std::string& list) {
  std::vector<std::string> modules(1);
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] != ',') modules.back() += list[i];
    else if (i + 1 < list.size() && list[i + 1] == ',') modules.back() += list[i++];
    else modules.emplace_back();
  }
  std::erase(modules, std::string{});
  return modules;
}

void load_multiboot(Machine& m, const std::string& path, const std::string& command_line,
                    const std::vector<std::string>& modules) {
  if (m.ram.size() < (2u << 20)) throw LoadError("guest memory must be at least 2 MiB for a Multiboot kernel");
  std::vector<uint8_t> file = read_file(path, "kernel");
  if (file.empty()) throw LoadError(fmt::format("kernel '{}' is empty", path));
  auto found = find_header(file);
  if (!found) throw LoadError(fmt::format("'{}' is not a Multiboot kernel (no valid Multiboot header in its first 8 KiB)", path));
  auto [header, offset] = *found;
  if (header.flags & 0x0000FFFC)
    throw LoadError(fmt::format("'{}' asks for Multiboot features this loader lacks (flags {:#x})", path, header.flags));
  const Image image = header.flags & (1u << 16) ? load_aout_kludge(m, file, header, offset) : load_elf(m, file, path);

  // The firmware's tables (ACPI, MP) in the BIOS area, as a PC leaves them,
  // unless the kernel itself lies there.
  if (image.end <= kAcpiTablesAddr || image.start >= kAcpiTablesAddr + kAcpiTablesSize) write_firmware_tables(m.ram);
  Placer placer(m, image.end);
  write_gdt(m, placer);
  const std::vector<ModuleEntry> mods = load_modules(m, placer, modules);
  CpuState& cpu = m.cpu;
  cpu.gpr[kEbx] = write_info(m, placer, command_line, mods);
  cpu.gpr[kEax] = kBootMagic;
  cpu.gpr[kEsp] = kStackTop;
  cpu.eip = image.entry;
  cpu.eflags = eflags::kFixed1;
  cpu.cr0 = cr0::kPE | cr0::kET;
  load_flat(cpu.seg[kCs], kCodeSelector, true);
  for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) load_flat(cpu.seg[s], kDataSelector, false);
  cpu.idtr = {0, 0};
}

}  // namespace bt86
