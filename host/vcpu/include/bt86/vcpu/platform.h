// What a backend needs from the machine's devices beyond the buses: the
// interrupt controller, the local APIC's MSRs, time, and input from the
// host. Every member may be absent (a machine without them runs, but
// nothing can interrupt it).
#pragma once
#include <cstdint>
#include <functional>
#include <span>

#include "bt86/devices/clock.h"
#include "bt86/devices/interrupt_controller.h"
#include "bt86/devices/local_apic.h"
#include "bt86/segmentation/cpu_state.h"
#include "bt86/vcpu/tracer.h"

namespace bt86 {

// How the chipset routes physical addresses, which the guest changes at
// run time: the A20 gate (the i8042's output port, port 0x92; closed,
// address bit 20 reads as 0, real mode's 1 MiB wrap) and the 440FX's PAM
// registers (the BIOS area read from RAM or the ROM, written to RAM or
// nowhere: GuestRam::set_bus_page). The machine's devices change it; the
// backend running the guest follows through `changed` (its shadow mappings
// and translations assumed the old routing).
struct MemoryRouting {
  bool a20_open = true;
  std::function<void()> changed;
  // Counts the changes: a backend that maps memory itself (KVM's memory
  // slots) compares it with the count it last mapped, whoever ran since.
  uint64_t generation = 0;
  // With a firmware (--bios), what such a backend maps: the image, at the
  // top of the 4 GiB space, whose last 128 KiB (or all of a smaller one)
  // are the BIOS area's ROM side below 1 MiB, and the PAM routing of a
  // BIOS-area address (PciHostBridge::kPamRead: reads come from RAM, else
  // from the ROM side; kPamWrite: writes reach RAM, else nothing).
  std::span<const uint8_t> firmware;
  std::function<unsigned(uint32_t phys)> bios_area;
  void set_a20(bool open) {
    if (open == a20_open) return;
    a20_open = open;
    notify();
  }
  void notify() {
    ++generation;
    if (changed) changed();
  }
};

// Guest RAM written behind the CPU's back, by a device's DMA: the backend
// running the guest forgets what it derived from those bytes (translated
// code, traced page tables) through `observer`.
struct RamWrites {
  std::function<void(uint64_t gpa, uint64_t len)> observer;
  void notify(uint64_t gpa, uint64_t len) const {
    if (observer) observer(gpa, len);
  }
};

struct Platform {
  // What the CPU's INTR and NMI come from: the local APIC (with the 8259A
  // pair behind its LINT0), or the 8259A pair alone.
  InterruptController* interrupts = nullptr;
  // The local APIC, for IA32_APIC_BASE and IA32_TSC_DEADLINE (absent: no
  // APIC, and CPUID says so).
  LocalApic* apic = nullptr;
  EventQueue* events = nullptr;
  const Clock* clock = nullptr;
  // Set for deterministic runs: time then advances with guest work only.
  VirtualClock* virtual_clock = nullptr;
  // Set when guest time is apparent time: the same clock as `clock`, which
  // bt86's own work (code translation) is hidden from and which catches up
  // while the guest halts (see hidden_time.h).
  HostClock* apparent_clock = nullptr;
  // Readable when host input waits (e.g. the terminal); -1 if none (or no
  // more: input ended).
  std::function<int()> input_fd;
  // Moves waiting host input into the devices; called on the vCPU thread.
  std::function<void()> pump_input;
  // True while the devices can take input now (else waiting input is left
  // alone until they can: no busy wake-ups).
  std::function<bool()> wants_input;
  // True when the user asked to quit (Ctrl-A x).
  std::function<bool()> quit_requested;
  // A backend that runs the guest on a copy of GuestContext::cpu (the BT
  // engine's frame) says so when its run starts, and passes null when the
  // run ended and GuestContext::cpu is current again: devices that read the
  // running CPU (the guest TSC of the local APIC's TSC-deadline timer)
  // follow it.
  std::function<void(const CpuState*)> cpu_state_moved;
  // Event tracing and the ring of the last interrupts (tracer.h); null: none.
  Tracer* tracer = nullptr;
  // The machine's A20 gate and BIOS-area routing; null: neither changes.
  MemoryRouting* routing = nullptr;
  // Where the machine's bus masters say what they wrote; null: none.
  RamWrites* ram_writes = nullptr;
};

}  // namespace bt86
