// The one device-service and halt-wait loop of every backend. Between two
// runs of guest code a backend calls service(): host input into the
// devices and expired device timers. A guest that halts with interrupts
// enabled waits in halt_wait() for the next device event or host input
// (under the virtual clock, time jumps to the event), first getting back
// time the backend hid from it (hidden_time.h). Interrupts and NMIs are
// taken from the machine's interrupt controller (the local APIC, or the
// 8259A pair alone) with acknowledge() and acknowledge_nmi(), which also
// hand back part of the hidden time.
// Whether and how an interrupt reaches the CPU is the backend's business.
#pragma once
#include <cstdint>
#include <optional>

#include "bt86/segmentation/cpu_state.h"
#include "bt86/vcpu/hidden_time.h"
#include "bt86/vcpu/platform.h"

namespace bt86 {

// Whatever wakes a backend's vCPU thread while guest code runs (a timer
// signal, an input thread).
class VcpuWaker {
public:
  // The host input descriptor to watch (-1: none): input was consumed, or
  // the devices take no more for now.
  virtual void rearm_input(int fd) = 0;
  // The thread is about to sleep in halt_wait, which wakes it by itself.
  virtual void sleeping() {}

protected:
  ~VcpuWaker() = default;
};

class DeviceService {
public:
  static constexpr uint64_t kNever = UINT64_MAX;
  // Longest sleep of a halted guest between looks at the devices.
  static constexpr uint64_t kMaxHaltNs = 100'000'000;

  // hidden: the time the backend hides from the guest, or null.
  DeviceService(const Platform& platform, CpuState& cpu, HiddenTime* hidden = nullptr)
      : platform_(platform), cpu_(cpu), hidden_(hidden) {}

  // Host input into the devices (and `waker` told whether to watch for
  // more), then the device timers that expired.
  void service(VcpuWaker* waker);
  bool has_interrupt_controller() const { return platform_.interrupts != nullptr; }
  // A maskable interrupt waits at the CPU's INTR, whatever its IF says.
  bool interrupt_pending() const { return platform_.interrupts && platform_.interrupts->interrupt_pending(); }
  // An NMI waits, whatever the CPU's NMI blocking says.
  bool nmi_pending() const { return platform_.interrupts && platform_.interrupts->nmi_pending(); }
  // Takes the waiting interrupt's vector from the interrupt controller.
  uint8_t acknowledge();
  // Takes the waiting NMI.
  void acknowledge_nmi();
  // The local APIC (IA32_APIC_BASE, TSC_DEADLINE, CPUID's APIC flag); null
  // on a machine without one.
  LocalApic* local_apic() const { return platform_.apic; }
  // When the next device event is due, on the guest's clock; and how far off.
  std::optional<uint64_t> next_deadline() const;
  uint64_t ns_to_next_event() const;
  // A halted CPU with IF set: returns at the next device event, when host
  // input arrives, after limit_ns, or when a signal interrupts the sleep.
  void halt_wait(VcpuWaker* waker, uint64_t limit_ns = kNever);
  bool quit_requested() const { return platform_.quit_requested && platform_.quit_requested(); }

private:
  const Platform& platform_;
  CpuState& cpu_;
  HiddenTime* hidden_;
};

}  // namespace bt86
