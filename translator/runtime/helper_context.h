// What a C++ helper works with, and nothing more: the guest CPU state (and
// the frame in which translated code keeps mirrors of it), guest memory,
// the I/O bus, the local APIC (for its MSRs), the instruction breakpoints,
// the compatibility-mode runner for legacy instructions, and the means to
// raise an exception, leave translated code or end the run.
// It is also the SystemContext on which the segmentation library's system
// instructions run (segment loads, far transfers, interrupt delivery, task
// switches).
#pragma once
#include <atomic>
#include <cstdint>
#include <string>

#include "bt86/devices/bus.h"
#include "bt86/devices/run_control.h"
#include "bt86/segmentation/system_context.h"
#include "bt86/translator/cpu_frame.h"
#include "bt86/vcpu/device_service.h"
#include "bt86/vcpu/tracer.h"
#include "cache/block.h"
#include "runtime/breakpoints.h"
#include "dispatch/debug_stops.h"
#include "runtime/compat32.h"
#include "runtime/guest_memory.h"

namespace bt86 {

// Requests from other threads and signal handlers that the run loop stop
// translated code (the watchdog, the timer waker, a helper).
struct StopRequests {
  std::atomic<bool> stop{false};     // the run ends (--timeout)
  std::atomic<bool> service{false};  // look at the devices first
};

class HelperContext final : public SystemContext {
public:
  HelperContext(CpuFrame& cpu_frame, GuestMemory& guest_memory, Bus& io_bus, RunControl& run_control,
                InstructionBreakpoints& instruction_breakpoints, const DeviceService& devices,
                const StopRequests& requests)
      : SystemContext(cpu_frame.state), frame(cpu_frame), memory(guest_memory), io(io_bus), control(run_control),
        breakpoints(instruction_breakpoints), devices_(devices), requests_(requests) {}

  CpuFrame& frame;
  GuestMemory& memory;
  Bus& io;
  RunControl& control;
  InstructionBreakpoints& breakpoints;
  Compat32 compat32;
  // The helper site being carried out (set by the run loop).
  const HelperSite* site = nullptr;
  // Event tracing; null: none (C++ paths only, never translated code).
  Tracer* tracer = nullptr;
  // A debugger's stops: its watchpoints see the accesses made here.
  DebugStops* debug = nullptr;
  // A device changed how addresses reach memory (A20, PAM): the port
  // I/O helper leaves translated code after its instruction.
  bool leave_block = false;

  // ---- SystemContext ------------------------------------------------------
  bool read_linear(uint32_t linear, void* dst, unsigned size, Privilege p = Privilege::kCurrent) override;
  bool write_linear(uint32_t linear, const void* src, unsigned size, Privilege p = Privilege::kCurrent) override;
  bool read_table_entry(uint32_t linear, Descriptor& out) override;
  uint8_t* direct(uint32_t linear, unsigned size, bool write, Privilege p = Privilege::kCurrent) override {
    return debug && debug->watching() ? nullptr : memory.direct(linear, size, write, p == Privilege::kCurrent && user());
  }
  bool peek(uint32_t linear, void* dst, unsigned size) override {
    return !(debug && debug->watching()) && !memory.read(linear, dst, size, false);
  }
  bool peek_table_entry(uint32_t linear, Descriptor& out) override { return !memory.read_table_entry(linear, out); }
  // The frame's segment-base mirror, the segment checks (of the segments
  // that changed), host AC.
  void segments_changed() override;
  void data_segment_changed(unsigned seg) override;
  // The same for every segment, whatever changed (cpu may be new).
  void all_segments_changed();
  // The frame's string-direction mirror, host AC.
  void eflags_changed() override;
  void paging_changed(bool cr3_written) override;
  std::string describe_instruction() const override;
  void delivering(const Event& event) override {
    if (tracer) tracer->interrupt(Tracer::where(cpu), event);
  }

  // ---- for helpers --------------------------------------------------------
  // As SystemContext's, returning what a helper returns after raising.
  HelperResult raise(Vector vector, std::optional<uint32_t> error_code = std::nullopt) {
    SystemContext::raise(vector, error_code);
    return HelperResult::kExit;
  }
  HelperResult raise_software(uint8_t vector, uint32_t return_eip, EventKind kind = EventKind::kSoftware) {
    SystemContext::raise_software(vector, return_eip, kind);
    return HelperResult::kExit;
  }
  HelperResult die(std::string why) {
    SystemContext::die(std::move(why));
    return HelperResult::kExit;
  }
  // Leaves translated code and goes on at eip.
  HelperResult exit_to(uint32_t eip) {
    cpu.eip = eip;
    return HelperResult::kExit;
  }
  // #UD if the guest can take it (it has an IDT), else ends the run naming insn.
  HelperResult undefined(const Insn& insn);
  // #PF for an instruction fetch at linear (an instruction whose bytes run
  // into a page that cannot be fetched), unless mapped meanwhile.
  HelperResult fetch_fault(uint32_t linear);
  void invlpg(uint32_t linear) { memory.invlpg(linear, cpu.seg[kCs].base); }
  // frame.host_ac from CR0.AM, EFLAGS.AC and the CPL (#AC runs natively).
  void refresh_host_ac();
  // CRn went from old to now, for traces.
  void cr_written(unsigned n, uint32_t old, uint32_t now) {
    if (tracer && tracer->on(trace::kCr)) tracer->cr(Tracer::where(cpu), n, old, now);
  }

  // Helpers that loop over a guest-chosen count (rep ins/outs) ask this at
  // every iteration boundary after their first iteration. True: stop there,
  // with ESI/EDI/ECX updated and cpu.eip still at the instruction, and leave
  // translated code, so that the run loop can stop (timeout), service
  // devices or deliver an interrupt before the instruction goes on, as a
  // CPU takes them between iterations.
  bool string_loop_must_yield(unsigned iterations_done) const;
  // At most this many iterations per helper call even when nothing is
  // waiting: block counts (virtual time, slices) then see the loop progress.
  static constexpr unsigned kStringBurst = 4096;
  // An NMI waits and the CPU is not handling one, or an interrupt waits
  // and IF lets the CPU take it.
  bool interrupt_deliverable() const { return interrupt_deliverable(devices_.interrupt_pending()); }
  // The same, told whether the controllers have an interrupt waiting.
  bool interrupt_deliverable(bool interrupt_pending) const {
    return (!cpu.nmi_blocked && devices_.nmi_pending()) || ((cpu.eflags & eflags::kIF) && interrupt_pending);
  }
  // The local APIC, null on a machine without one.
  LocalApic* local_apic() const { return devices_.local_apic(); }

private:
  bool user() const { return cpu.cpl() == 3; }
  void segment_checked(unsigned seg);
  // Whether seg's checks were computed from what it holds now (CR0.PE aside).
  bool checks_current(unsigned seg) const;

  // What each segment's checks were last computed from: an int/iret
  // changes two or three of the six, and recomputing all was a fifth of an
  // int 0x80 round trip.
  SegmentCache checked_[6] = {};
  int checked_pe_ = -1;  // CR0.PE then; -1: recompute all
  // Per segment, the checks computed for the last two descriptors it held
  // (CS and SS trade the user's and the kernel's on every int/iret pair),
  // used again when one comes back: they depend on its access rights, its
  // limit and CR0.PE alone.
  struct KnownChecks {
    bool valid = false;
    int pe = 0;
    uint16_t access = 0;
    uint32_t limit = 0;
    AccessBounds bounds[2], fetch;
    bool checked = false;
  };
  KnownChecks known_[6][2];
  unsigned known_next_[6] = {};
  bool page_fault(const std::optional<PageFault>& fault) { return !fault || raise_pf(fault->linear, fault->error_code); }

  const DeviceService& devices_;
  const StopRequests& requests_;
};

}  // namespace bt86
