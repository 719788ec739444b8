// One interface runs a vCPU until something ends the run (design.md §6):
// the BT backend (host/bt/, over the translator) and the KVM backend
// (host/kvm/) implement it, and the CLI and the backend switcher use it
// without knowing which one they hold.
#pragma once
#include <string>

#include "bt86/vcpu/run.h"
#include "bt86/vcpu/stats.h"

namespace bt86 {

class Vcpu {
public:
  virtual ~Vcpu() = default;

  // Runs the guest from the CpuState of its GuestContext until the guest's
  // run ends or a limit is reached; the state is in the CpuState again
  // when it returns.
  virtual RunOutcome run(const RunLimits& limits) = 0;
  RunOutcome run(double timeout_seconds) { return run(RunLimits{timeout_seconds}); }

  // "bt", "kvm", ...: names the backend in statistics and reports.
  virtual std::string name() const = 0;
  // What the backend counted, printed as JSON by --stats.
  virtual Stats stats() const = 0;
  // Whether RunLimits::slice_instructions counts guest instructions here
  // (else a slice ends at the guest's next exit to the backend).
  virtual bool counts_instructions() const = 0;
  // Another backend ran the guest since this one last did and may have
  // written guest code and page tables: drop whatever was derived from
  // guest memory.
  virtual void guest_memory_changed() {}
  // A line for the user after the run (empty: none).
  virtual std::string summary() const { return {}; }

  // ---- for a debugger (host/gdb/) -------------------------------------------
  // Between runs the guest's registers are the GuestContext's CpuState and
  // its memory the machine's RAM; a debugger that wrote RAM says so with
  // guest_memory_changed().
  // Which of RunLimits::debug's requests this backend carries out.
  virtual DebugAbilities debug_abilities() const { return {}; }
  // From any thread: the run in progress, or the next one, ends at the next
  // instruction boundary with exit_status::kDebugStop (kInterrupted).
  virtual void interrupt() {}
};

}  // namespace bt86
