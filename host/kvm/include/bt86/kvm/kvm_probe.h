// What this host's KVM can run. Nested and paravirtual KVMs often run only
// part of the 32-bit machine (real mode and unpaged protected mode, say), so
// the backend runs one tiny guest per CPU mode, per feature such a KVM may
// not virtualize (CPUID, TSC offset), per instruction its emulator may
// lack (DAA, LDMXCSR), and whether it runs guest code on the CPU at all,
// and reports which answer.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace bt86 {

struct KvmModeResult {
  // real-mode, protected-32, paging-32, paging-pae (CPU modes); cpuid,
  // tsc-offset (virtualized features); daa, ldmxcsr, iretd (instructions);
  // native-speed (guest code runs on the CPU rather than in KVM's emulator)
  std::string name;
  std::string description;  // for people
  bool ok = false;
  std::string failure;      // why not, when !ok
};

struct KvmCapabilities {
  bool usable = false;          // /dev/kvm opens and gives a VM with a vCPU
  std::string unusable_reason;  // when !usable
  std::vector<KvmModeResult> modes;

  // False for an unknown name or a mode that failed.
  bool works(std::string_view mode) const;
};

// Runs every probe guest, each in a VM of its own; takes well under a
// second where all work (each has a few seconds before it counts as hung).
KvmCapabilities probe_kvm();

// One line per probe ("  protected-32  <description>  ok" or "FAILS (why)")
// and a summary line.
std::string format_probe_report(const KvmCapabilities& caps);

}  // namespace bt86
