#include "probe_guests.h"

#include <x86intrin.h>

#include <cstring>

#include "bt86/kvm/kvm_cpuid.h"

namespace bt86::probe {

namespace {
// Where the protected-mode probes keep things (all in the first 64 KiB).
constexpr uint32_t kGdt = 0x800, kCode = 0x1000, kData = 0x2000, kStack = 0x7000;
// Paging probes map linear 0x400000 (outside the identity-mapped low
// memory) to kData, so the value read there proves translation happened.
constexpr uint32_t kRemapped = 0x400000;

template <class T>
void poke(GuestRam& ram, uint32_t gpa, T value) {
  std::memcpy(ram.host(gpa), &value, sizeof value);
}

void poke_bytes(GuestRam& ram, uint32_t gpa, std::span<const uint8_t> bytes) {
  std::memcpy(ram.host(gpa), bytes.data(), bytes.size());
}

void reset_fpu(CpuState& cpu) {
  std::memset(cpu.fxsave, 0, sizeof cpu.fxsave);
  uint16_t fcw = 0x037F;
  uint32_t mxcsr = 0x1F80;
  std::memcpy(cpu.fxsave + 0, &fcw, 2);
  std::memcpy(cpu.fxsave + 24, &mxcsr, 4);
}

// 32-bit protected mode, paging off, flat CS 0x08 / data 0x10 from a GDT at
// kGdt: the state a Multiboot loader leaves.
void flat_protected(GuestRam& ram, CpuState& cpu, std::span<const uint8_t> code, uint32_t value) {
  const uint64_t gdt[3] = {0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull};
  std::memcpy(ram.host(kGdt), gdt, sizeof gdt);
  poke_bytes(ram, kCode, code);
  poke(ram, kData, value);
  cpu = CpuState{};
  cpu.eip = kCode;
  cpu.gpr[kEsp] = kStack;
  cpu.eflags = eflags::kFixed1;
  cpu.cr0 = cr0::kPE | cr0::kET;
  cpu.gdtr = {kGdt, sizeof gdt - 1};
  load_flat(cpu.seg[kCs], 0x08, true);
  for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) load_flat(cpu.seg[s], 0x10, false);
  reset_fpu(cpu);
}

void setup_real(GuestRam& ram, CpuState& cpu) {
  static const uint8_t code[] = {
      0xB8, 0xE0, 0x07,  // mov ax, 0x07E0
      0x8E, 0xD8,        // mov ds, ax        (real-mode segment: base 0x7E00)
      0xA1, 0x00, 0x00,  // mov ax, [0]
      0xE7, 0xE0,        // out 0xE0, ax
      0xF4,              // hlt
  };
  poke_bytes(ram, 0x7C00, code);
  poke<uint16_t>(ram, 0x7E00, 0x8086);
  cpu = CpuState{};
  cpu.eip = 0x7C00;
  cpu.gpr[kEsp] = 0x7000;
  cpu.eflags = eflags::kFixed1;
  cpu.cr0 = cr0::kET;
  cpu.idtr = {0, 0x3FF};
  for (unsigned s = 0; s < 6; ++s)
    cpu.seg[s] = {0, static_cast<uint16_t>(s == kCs ? 0x9B : 0x93), 0, 0xFFFF};  // present, accessed, 16-bit
  cpu.ldtr = {0, 0x82, 0, 0xFFFF};
  reset_fpu(cpu);
}

void setup_protected(GuestRam& ram, CpuState& cpu) {
  static const uint8_t code[] = {
      0x66, 0xB8, 0x10, 0x00,        // mov ax, 0x10
      0x8E, 0xD8,                    // mov ds, ax        (a descriptor load from the GDT)
      0xA1, 0x00, 0x20, 0x00, 0x00,  // mov eax, [0x2000]
      0xE7, 0xE0,                    // out 0xE0, eax
      0xF4,                          // hlt
  };
  flat_protected(ram, cpu, code, 0x600D0032);
}

void setup_paging32(GuestRam& ram, CpuState& cpu) {
  static const uint8_t code[] = {
      0xB8, 0x00, 0x30, 0x00, 0x00,  // mov eax, 0x3000   (page directory)
      0x0F, 0x22, 0xD8,              // mov cr3, eax
      0x0F, 0x20, 0xC0,              // mov eax, cr0
      0x0D, 0x00, 0x00, 0x00, 0x80,  // or eax, 0x80000000
      0x0F, 0x22, 0xC0,              // mov cr0, eax      (PG)
      0xEB, 0x00,                    // jmp $+2
      0xA1, 0x00, 0x00, 0x40, 0x00,  // mov eax, [0x400000]
      0xE7, 0xE0,                    // out 0xE0, eax
      0xF4,                          // hlt
  };
  flat_protected(ram, cpu, code, 0x600D0020);
  // PDE 0: identity-map the low 4 MiB; PDE 1: linear 4 MiB -> kData.
  poke<uint32_t>(ram, 0x3000, 0x4000 | 3);
  poke<uint32_t>(ram, 0x3004, 0x5000 | 3);
  for (uint32_t i = 0; i < 1024; ++i) poke<uint32_t>(ram, 0x4000 + 4 * i, i << 12 | 3);
  poke<uint32_t>(ram, 0x5000, kData | 3);
  static_assert(kRemapped == 1u << 22);
}

void setup_pae(GuestRam& ram, CpuState& cpu) {
  static const uint8_t code[] = {
      0x0F, 0x20, 0xE0,              // mov eax, cr4
      0x83, 0xC8, 0x20,              // or eax, 0x20      (PAE)
      0x0F, 0x22, 0xE0,              // mov cr4, eax
      0xB8, 0x00, 0x60, 0x00, 0x00,  // mov eax, 0x6000   (page-directory-pointer table)
      0x0F, 0x22, 0xD8,              // mov cr3, eax
      0x0F, 0x20, 0xC0,              // mov eax, cr0
      0x0D, 0x00, 0x00, 0x00, 0x80,  // or eax, 0x80000000
      0x0F, 0x22, 0xC0,              // mov cr0, eax      (PG)
      0xEB, 0x00,                    // jmp $+2
      0xA1, 0x00, 0x00, 0x40, 0x00,  // mov eax, [0x400000]
      0xE7, 0xE0,                    // out 0xE0, eax
      0xF4,                          // hlt
  };
  flat_protected(ram, cpu, code, 0x600D00AE);
  // PDPTE 0 -> PD at 0x7000; PDE 0: identity 2 MiB; PDE 2 (linear 4 MiB) -> kData.
  poke<uint64_t>(ram, 0x6000, 0x7000 | 1);
  poke<uint64_t>(ram, 0x7000, 0x8000 | 3);
  poke<uint64_t>(ram, 0x7010, 0x9000 | 3);
  for (uint64_t i = 0; i < 512; ++i) poke<uint64_t>(ram, 0x8000 + 8 * static_cast<uint32_t>(i), i << 12 | 3);
  poke<uint64_t>(ram, 0x9000, kData | 3);
}

// Not a CPU mode, but something a nested KVM may not do: answer CPUID from
// the table given with KVM_SET_CPUID2 rather than the host's.
void setup_cpuid(GuestRam& ram, CpuState& cpu) {
  static const uint8_t code[] = {
      0xB8, 0x01, 0x00, 0x00, 0x00,  // mov eax, 1
      0x0F, 0xA2,                    // cpuid
      0x89, 0xD0,                    // mov eax, edx      (feature bits)
      0xE7, 0xE0,                    // out 0xE0, eax
      0xF4,                          // hlt
  };
  flat_protected(ram, cpu, code, 0);
}

// Likewise: rdtsc in the guest honours the TSC offset of its CPU state.
void setup_tsc(GuestRam& ram, CpuState& cpu) {
  static const uint8_t code[] = {
      0x0F, 0x31,  // rdtsc
      0x89, 0xD0,  // mov eax, edx      (high half: 0 for the first 2^32 cycles)
      0xE7, 0xE0,  // out 0xE0, eax
      0xF4,        // hlt
  };
  flat_protected(ram, cpu, code, 0);
  cpu.tsc_offset = 0 - __rdtsc();  // the guest's TSC starts at 0
}

// Instructions a KVM that emulates guest code (rather than running it on the
// CPU) may lack; the test kernels need them.
void setup_daa(GuestRam& ram, CpuState& cpu) {
  static const uint8_t code[] = {
      0xA1, 0x00, 0x20, 0x00, 0x00,  // mov eax, [0x2000]  (0x19)
      0x04, 0x28,                    // add al, 0x28       (0x41, AF=1)
      0x27,                          // daa                (0x47)
      0xE7, 0xE0,                    // out 0xE0, eax
      0xF4,                          // hlt
  };
  flat_protected(ram, cpu, code, 0x19);
}

void setup_mxcsr(GuestRam& ram, CpuState& cpu) {
  static const uint8_t code[] = {
      0x0F, 0xAE, 0x15, 0x00, 0x20, 0x00, 0x00,  // ldmxcsr [0x2000]
      0x0F, 0xAE, 0x1D, 0x04, 0x20, 0x00, 0x00,  // stmxcsr [0x2004]
      0xA1, 0x04, 0x20, 0x00, 0x00,              // mov eax, [0x2004]
      0xE7, 0xE0,                                // out 0xE0, eax
      0xF4,                                      // hlt
  };
  flat_protected(ram, cpu, code, 0x3F80);  // all exceptions masked, round down
  cpu.cr4 = 0x600;                          // OSFXSR OSXMMEXCPT
}

// iretd to the same privilege level: every interrupt handler of the device
// kernels ends with it.
void setup_iretd(GuestRam& ram, CpuState& cpu) {
  static const uint8_t code[] = {
      0x9C,                          // pushfd
      0x6A, 0x08,                    // push 0x08
      0x68, 0x09, 0x10, 0x00, 0x00,  // push kCode + 9   (the mov below)
      0xCF,                          // iretd
      0xA1, 0x00, 0x20, 0x00, 0x00,  // mov eax, [0x2000]
      0xE7, 0xE0,                    // out 0xE0, eax
      0xF4,                          // hlt
  };
  static_assert(kCode == 0x1000);
  flat_protected(ram, cpu, code, 0x1AE7D);
}

// 1.2M simple instructions: a millisecond on the CPU, about a second where
// KVM runs guest code through its instruction emulator (kvm_pvm does for
// 32-bit guests), which makes a benchmark on it meaningless.
void setup_speed(GuestRam& ram, CpuState& cpu) {
  static const uint8_t code[] = {
      0xB9, 0x80, 0x96, 0x98, 0x00,  // mov ecx, 10000000
      0x49,                          // loop: dec ecx
      0x75, 0xFD,                    // jnz loop
      0xA1, 0x00, 0x20, 0x00, 0x00,  // mov eax, [0x2000]
      0xE7, 0xE0,                    // out 0xE0, eax
      0xF4,                          // hlt
  };
  flat_protected(ram, cpu, code, 0x5EED);
}

const ProbeGuest kGuests[] = {
    {"real-mode", "real mode", setup_real, 0x8086},
    {"protected-32", "32-bit protected mode, paging off", setup_protected, 0x600D0032},
    {"paging-32", "32-bit protected mode, 2-level paging", setup_paging32, 0x600D0020},
    {"paging-pae", "32-bit protected mode, PAE paging", setup_pae, 0x600D00AE},
    {"cpuid", "CPUID from KVM_SET_CPUID2 (leaf 1 EDX)", setup_cpuid, bt86_cpuid_leaves(kCpuidExtra)[1].regs.edx},
    {"tsc-offset", "rdtsc honours the guest's TSC offset", setup_tsc, 0},
    {"daa", "runs DAA (the integer kernel needs it)", setup_daa, 0x47},
    {"ldmxcsr", "runs LDMXCSR/STMXCSR (fpu_sse needs them)", setup_mxcsr, 0x3F80},
    {"iretd", "runs IRETD (interrupt handlers need it)", setup_iretd, 0x1AE7D},
    {"native-speed", "runs guest code on the CPU, not emulated", setup_speed, 0x5EED, 0.1},
};
}  // namespace

std::span<const ProbeGuest> guests() { return kGuests; }

}  // namespace bt86::probe
