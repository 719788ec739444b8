// The probe guests: a few bytes of machine code per CPU mode, each of which
// writes a known value to kProbePort when the mode works on this KVM.
#pragma once
#include <cstdint>
#include <span>

#include "bt86/segmentation/cpu_state.h"
#include "bt86/shadow/guest_ram.h"

namespace bt86::probe {

constexpr uint16_t kProbePort = 0xE0;
// PSE PAE PGE: CPUID leaf 1 EDX bits the probes add to bt86's own (the
// paging probes need them whatever the guest-visible CPUID says).
constexpr uint32_t kCpuidExtra = 1u << 3 | 1u << 6 | 1u << 13;

struct ProbeGuest {
  const char* name;
  const char* description;
  // Writes code, data and page tables into RAM (at least 2 MiB) and sets
  // the CPU state the code starts in.
  void (*setup)(GuestRam& ram, CpuState& cpu);
  uint32_t expected;  // what the code writes to kProbePort
  // > 0: the run must answer within this many seconds; the CPU needs ~25x
  // less, an instruction emulator far more. The probe then costs no more.
  double max_seconds = 0;
};

std::span<const ProbeGuest> guests();

}  // namespace bt86::probe
