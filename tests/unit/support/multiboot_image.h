// Test support for the Multiboot loader tests: kernel images built byte by
// byte (an ELF32 header, one PT_LOAD, the Multiboot header, a little code),
// a scratch directory to write them to, and a machine to load them into.
#pragma once
#include <catch2/catch.hpp>

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bt86/host/multiboot.h"
#include "temp_dir.h"

namespace bt86::test {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

inline constexpr uint64_t kRamBytes = 16ull << 20;
inline constexpr uint32_t kLoadAddr = 0x100000;
inline constexpr uint32_t kCodeOffset = 0x100;  // file offset of the loaded segment
inline constexpr uint32_t kMemSize = 0x2000;    // p_memsz: everything past the code is bss
inline constexpr uint8_t kCode[] = {0xB8, 0x2A, 0x00, 0x00, 0x00,  // mov eax, 42
                         0xF4, 0xEB, 0xFD};             // hlt; jmp $-1

template <typename T>
void put(Bytes& image, size_t offset, const T& value) {
  if (image.size() < offset + sizeof value) image.resize(offset + sizeof value);
  std::memcpy(image.data() + offset, &value, sizeof value);
}

// magic, flags, checksum: the three words every Multiboot header starts with.
inline void put_header(Bytes& image, size_t offset, uint32_t flags, uint32_t checksum_error = 0) {
  const uint32_t words[3] = {bt86::multiboot::kHeaderMagic, flags,
                             0u - bt86::multiboot::kHeaderMagic - flags + checksum_error};
  put(image, offset, words);
}

struct ElfShape {
  uint32_t paddr = kLoadAddr;
  uint32_t offset = kCodeOffset;
  uint32_t filesz = sizeof kCode;
  uint32_t memsz = kMemSize;
};

// Elf32_Ehdr, its PT_LOADs right after it, the Multiboot header at
// kHeaderOffset and the code at kCodeOffset (what each segment's offset
// and filesz select of the file is up to the shape).
inline constexpr uint32_t kHeaderOffset = 0xC0;
inline Bytes elf32(const std::vector<ElfShape>& segments, uint32_t entry = kLoadAddr) {
  Bytes image(kCodeOffset + sizeof kCode, 0);
  Elf32_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS32;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_386;
  eh.e_version = EV_CURRENT;
  eh.e_entry = entry;
  eh.e_phoff = sizeof eh;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf32_Phdr);
  eh.e_phnum = static_cast<Elf32_Half>(segments.size());
  REQUIRE(sizeof eh + segments.size() * sizeof(Elf32_Phdr) <= kHeaderOffset);
  put(image, 0, eh);
  for (size_t i = 0; i < segments.size(); ++i) {
    const ElfShape& shape = segments[i];
    Elf32_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_offset = shape.offset;
    ph.p_vaddr = 0xC0000000 + shape.paddr;  // a higher-half link address: must be ignored
    ph.p_paddr = shape.paddr;
    ph.p_filesz = shape.filesz;
    ph.p_memsz = shape.memsz;
    ph.p_flags = PF_R | PF_X;
    ph.p_align = 0x1000;
    put(image, sizeof eh + i * sizeof ph, ph);
  }
  put_header(image, kHeaderOffset, 0x3);  // page-align + memory info: both supported
  std::memcpy(image.data() + kCodeOffset, kCode, sizeof kCode);
  return image;
}
inline Bytes minimal_elf32(const ElfShape& shape = {}) { return elf32({shape}); }

struct Loader {
  TempDir dir;
  bt86::Machine machine{bt86::MachineConfig{kRamBytes, [](uint8_t) {}}};

  void load(const Bytes& image, const std::string& cmdline = "", const std::vector<std::string>& modules = {}) {
    bt86::load_multiboot(machine, dir.write("kernel.elf", image), cmdline, modules);
  }
  uint32_t word(uint32_t gpa) const {
    uint32_t v;
    std::memcpy(&v, machine.ram.host(gpa), 4);
    return v;
  }
  std::string string_at(uint32_t gpa) const { return reinterpret_cast<const char*>(machine.ram.host(gpa)); }
  uint32_t info() const { return machine.cpu.gpr[bt86::kEbx]; }
};

}  // namespace bt86::test
