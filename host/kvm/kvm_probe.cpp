#include "bt86/kvm/kvm_probe.h"

#include <fmt/format.h>

#include <optional>

#include "bt86/devices/device.h"
#include "bt86/kvm/kvm_cpu.h"
#include "bt86/kvm/kvm_vm.h"
#include "probe_guests.h"

namespace bt86 {

namespace {
constexpr double kProbeTimeout = 5;
constexpr uint64_t kProbeRam = 8ull << 20;

// The probe port: remembers what the guest wrote and ends the run.
class ProbePort final : public Device {
public:
  explicit ProbePort(RunControl& control) : control_(control) {}
  std::string_view name() const override { return "kvm probe port"; }
  uint32_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t, unsigned, uint32_t value) override {
    written = value;
    control_.request_exit(0, "probe answered");
  }
  std::optional<uint32_t> written;

private:
  RunControl& control_;
};

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Throws KvmError when KVM itself is unusable.
KvmModeResult run_probe(const probe::ProbeGuest& g) {
  KvmModeResult result{g.name, g.description, false, {}};
  CpuState cpu{};
  GuestRam ram(kProbeRam);
  Bus io{"port I/O"}, mmio{"MMIO"};
  RunControl control;
  ProbePort port(control);
  io.map(probe::kProbePort, 4, port);
  g.setup(ram, cpu);
  KvmCpu vcpu({cpu, ram, io, mmio, control}, KvmOptions{probe::kCpuidExtra});
  const bool timed = g.max_seconds > 0;
  RunOutcome outcome = vcpu.run(timed ? g.max_seconds : kProbeTimeout);
  if (port.written && *port.written == g.expected)
    result.ok = true;
  else if (port.written)
    result.failure = fmt::format("wrote {:#x}, expected {:#x}", *port.written, g.expected);
  else if (outcome.exit_status == exit_status::kTimeout && timed)
    result.failure = fmt::format("20 million instructions took longer than {} s, the CPU needs a few ms: "
                                 "KVM emulates the guest", g.max_seconds);
  else if (outcome.exit_status == exit_status::kTimeout)
    result.failure = fmt::format("no answer within {} s", kProbeTimeout);
  else
    result.failure = first_line(outcome.message);
  return result;
}
}  // namespace

bool KvmCapabilities::works(std::string_view mode) const {
  for (const KvmModeResult& m : modes)
    if (m.name == mode) return m.ok;
  return false;
}

KvmCapabilities probe_kvm() {
  KvmCapabilities caps;
  try {
    for (const probe::ProbeGuest& g : probe::guests()) caps.modes.push_back(run_probe(g));
    caps.usable = true;
  } catch (const KvmError& e) {
    caps.usable = false;
    caps.unusable_reason = e.what();
    caps.modes.clear();
  }
  return caps;
}

std::string format_probe_report(const KvmCapabilities& caps) {
  if (!caps.usable) return fmt::format("KVM: unusable: {}\n", caps.unusable_reason);
  std::string s;
  unsigned ok = 0;
  for (const KvmModeResult& m : caps.modes) {
    s += fmt::format("  {:<14}{:<44}{}\n", m.name, m.description, m.ok ? "ok" : fmt::format("FAILS ({})", m.failure));
    ok += m.ok;
  }
  std::string works;
  for (const KvmModeResult& m : caps.modes)
    if (m.ok) works += (works.empty() ? "" : ", ") + m.name;
  s += fmt::format("KVM: usable; {} of {} probes work{}\n", ok, caps.modes.size(),
                   works.empty() ? "" : fmt::format(" ({})", works));
  return s;
}

}  // namespace bt86
