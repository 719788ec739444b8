// host/multiboot.h refuses every malformed kernel with a LoadError whose
// message says why (each test checks the key phrase a user would see).
#include "multiboot_image.h"

using namespace bt86::test;
using bt86::LoadError;

TEST_CASE_METHOD(Loader, "multiboot: unreadable and empty files are refused", "[multiboot]") {
  CHECK_THROWS_WITH(bt86::load_multiboot(machine, (dir.path / "missing").string(), ""),
                    Catch::Contains("cannot open kernel"));
  CHECK_THROWS_WITH(load({}), Catch::Contains("is empty"));
}

TEST_CASE_METHOD(Loader, "multiboot: a file without a valid header is not a Multiboot kernel", "[multiboot]") {
  Bytes image = minimal_elf32();
  SECTION("no header at all") { put(image, kHeaderOffset, uint32_t{0}); }
  SECTION("checksum off by one") { put_header(image, kHeaderOffset, 0x3, 1); }
  SECTION("misaligned header") {
    put(image, kHeaderOffset, uint32_t{0});
    put_header(image, kHeaderOffset + 2, 0x3);
  }
  SECTION("header past the first 8 KiB") {
    put(image, kHeaderOffset, uint32_t{0});
    image.resize(0x2100, 0);
    put_header(image, 0x2000, 0x3);
  }
  CHECK_THROWS_WITH(load(image), Catch::Contains("no valid Multiboot header"));
}

TEST_CASE_METHOD(Loader, "multiboot: required feature flags the loader lacks are refused", "[multiboot]") {
  Bytes image = minimal_elf32();
  put_header(image, kHeaderOffset, 0x3 | 1u << 2);  // video mode table
  CHECK_THROWS_WITH(load(image), Catch::Contains("asks for Multiboot features"));
}

TEST_CASE_METHOD(Loader, "multiboot: only 32-bit x86 ELF files are loaded", "[multiboot]") {
  SECTION("ELF64") {
    Bytes image(0x200, 0);
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_phoff = sizeof eh;
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = 0;
    put(image, 0, eh);
    put_header(image, 0x80, 0x3);
    CHECK_THROWS_WITH(load(image), Catch::Contains("not a 32-bit x86 ELF"));
  }
  SECTION("not ELF at all, and no a.out kludge") {
    Bytes image(0x100, 0x90);
    put_header(image, 0x10, 0x3);
    CHECK_THROWS_WITH(load(image), Catch::Contains("not an ELF file"));
  }
}

TEST_CASE_METHOD(Loader, "multiboot: segments must lie in the file and in guest RAM", "[multiboot]") {
  SECTION("file bytes past the end of the file") {
    ElfShape s;
    s.filesz = 0x1000;
    CHECK_THROWS_WITH(load(minimal_elf32(s)), Catch::Contains("lies outside the file"));
  }
  SECTION("offset past the end of the file") {
    ElfShape s;
    s.offset = 0x10000;
    CHECK_THROWS_WITH(load(minimal_elf32(s)), Catch::Contains("lies outside the file"));
  }
  SECTION("memsz smaller than filesz") {
    ElfShape s;
    s.memsz = 4;
    CHECK_THROWS_WITH(load(minimal_elf32(s)), Catch::Contains("lies outside the file"));
  }
  SECTION("beyond the end of RAM") {
    ElfShape s;
    s.paddr = static_cast<uint32_t>(kRamBytes) - 0x1000;  // bss runs past the end
    CHECK_THROWS_WITH(load(minimal_elf32(s)), Catch::Contains("ends beyond guest RAM (16 MiB)") &&
                                                  Catch::Contains("--memory"));
  }
  SECTION("far beyond RAM") {
    ElfShape s;
    s.paddr = 0x80000000;
    CHECK_THROWS_WITH(load(minimal_elf32(s)), Catch::Contains("ELF segment 0 at 0x80000000+0x2000 ends beyond guest RAM"));
  }
  SECTION("past 4 GiB") {
    ElfShape s;
    s.paddr = 0xFFFFF000;
    CHECK_THROWS_WITH(load(minimal_elf32(s)), Catch::Contains("runs past the 4 GiB end"));
  }
}

TEST_CASE_METHOD(Loader, "multiboot: a module that cannot be read is named", "[multiboot]") {
  const std::string missing = (dir.path / "no-such-module").string();
  CHECK_THROWS_WITH(load(minimal_elf32(), "", {missing + " arg"}),
                    Catch::Contains("cannot open Multiboot module '" + missing + "'"));
}

TEST_CASE_METHOD(Loader, "multiboot: modules that do not fit in RAM are refused, naming the module", "[multiboot]") {
  const std::string big = dir.write("big.bin", Bytes(kRamBytes - kLoadAddr, 0x5A));
  CHECK_THROWS_WITH(load(minimal_elf32(), "", {big}), Catch::Contains("module '" + big + "'") &&
                                                          Catch::Contains("does not fit in guest RAM"));
}

TEST_CASE("multiboot: guest RAM below 2 MiB is refused", "[multiboot]") {
  TempDir dir;
  bt86::Machine small{bt86::MachineConfig{1u << 20, [](uint8_t) {}}};
  std::string path = dir.write("k.elf", minimal_elf32());
  CHECK_THROWS_WITH(bt86::load_multiboot(small, path, ""), Catch::Contains("at least 2 MiB"));
}
