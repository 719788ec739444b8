// The BT engine's run loop: find or translate the block at EIP, enter
// translated code, deal with whatever made it exit, deliver exceptions and
// interrupts, service the devices in between. It owns the translator's
// parts (the code cache, the lookup cache, the shadow address space, guest
// memory, the helpers' context) and hands each to whichever needs it.
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bt86/segmentation/descriptor_cache.h"
#include "bt86/segmentation/event.h"
#include "bt86/shadow/address_space.h"
#include "bt86/translator/cpu_frame.h"
#include "bt86/translator/translator.h"
#include "cache/code_cache.h"
#include "cache/lookup_cache.h"
#include "dispatch/adaptive_sites.h"
#include "dispatch/bounce.h"
#include "dispatch/debug_stops.h"
#include "frontend/block_formation.h"
#include "runtime/breakpoints.h"
#include "runtime/guest_memory.h"
#include "runtime/helper_context.h"
#include "bt86/vcpu/device_service.h"
#include "bt86/vcpu/hidden_time.h"
#include "dispatch/timer_waker.h"
#include "dispatch/stubs.h"

namespace bt86 {

// What the signal handler saw when translated code faulted.
struct HostFault {
  int signo;
  int code;  // si_code
  uintptr_t addr;
  uintptr_t pc;
  bool write;
  int trapno;  // the host CPU's exception vector
};

class Engine {
public:
  explicit Engine(GuestContext context);
  ~Engine();

  RunOutcome run(const RunLimits& limits);
  // Drops translations and shadow mappings (see Translator::forget_guest_memory).
  void forget_guest_memory();
  uint64_t instructions_run() const { return instructions_run_; }
  // Vcpu::interrupt: from any thread.
  void interrupt();

private:
  // The frame translated code runs in (r14); the machine's CpuState is
  // copied into it when a run starts and back when it ends.
  CpuFrame frame_{};
  CpuState& machine_cpu_;

public:
  CpuFrame& frame() { return frame_; }
  CpuState& cpu = frame_.state;
  Stats stats;

  // ---- for the signal handler -------------------------------------------
  bool owns_host_pc(uintptr_t pc) const { return cache_.contains(reinterpret_cast<const void*>(pc)); }
  // Resolves a fault the guest must not see (filling a shadow mapping, the
  // dirty upgrade); false when the run loop has to look at it.
  bool try_hidden_fault(uintptr_t host_addr, bool write);
  void record_fault(const HostFault& f) { fault_ = f; }
  const Stubs& stubs() const { return stubs_; }
  // Revokes the safepoint page so translated code stops at the next block.
  void request_stop();
  // Same, to look at the devices (a deadline passed, input, an interrupt).
  void request_service();

  // ---- for the thunks (exits.cpp) -------------------------------------------
  // A helper: carries out the instruction of the site; returns what
  // bt86_helper_entry does (dispatch/stubs.h).
  int run_helper(const HelperSite& site);
  // The access thunk: one step of an instruction in a bounce block.
  int run_access(const HelperSite& site);

private:
  uint32_t current_mode() const;
  // Device work between runs of translated code: input, timers, and the
  // delivery of a pending NMI or external interrupt.
  void service_devices();
  // A halted CPU with IF set: wait for the next deadline or input.
  void wait_while_halted();
  PagingMode paging_mode() const { return {cpu.cr0, cpu.cr3, cpu.cr4, cpu.efer}; }
  bool user_mode() const { return cpu.cpl() == 3; }
  // frame_.irq_pending from the interrupt controller, for the inline sti/popf.
  void refresh_irq_pending() { frame_.irq_pending = devices_.interrupt_pending(); }
  // The host code of the block to go on with straight from a helper that
  // ended its block, or nullptr when the run loop has work first.
  const uint8_t* continuation();
  // Block lookup by EIP (at linear CS.base + EIP); nullptr after raising a
  // fetch fault.
  Block* lookup_or_translate(uint32_t eip, uint32_t mode);
  uint32_t code_linear(uint32_t eip) const { return cpu.seg[kCs].base + eip; }
  // The indirect-branch tables map EIPs, which mean other code under
  // another CS base (real mode's far transfers): they are emptied when the
  // base differs from the one they were filled under.
  uint32_t lookup_cs_base_ = 0;
  void follow_cs_base() {
    if (cpu.seg[kCs].base == lookup_cs_base_) return;
    lookup_.reset();
    lookup_cs_base_ = cpu.seg[kCs].base;
  }
  // The A20 gate or the PAM routing changed (a device, during a helper):
  // the run loop follows (follow_routing), emptying the windows and the
  // translations.
  bool routing_changed_ = false;
  void follow_routing();
  bool last_fetch_global_ = false;  // the page of lookup_or_translate's eip is global
  // Forms the block (frontend/block_formation.h) and enters it in the cache.
  Block* translate(uint32_t eip, uint64_t phys, uint32_t mode);
  // Drops every translation (the cache filled, or breakpoints changed).
  void flush_translations();
  // After translated code exited: the block to run next (nullptr: look it
  // up again at cpu.eip, or an exception is pending).
  Block* after_exit();
  Block* handle_host_fault();
  Block* handle_code_write(uint32_t phys);
  // The instruction of `faulting` at cpu.eip touched bytes that are not
  // plain RAM in the window: it runs again as a bounce block.
  Block* bounce(const Block& faulting);
  void forget_invalidated();
  // A debugger's request for this run (dispatch/debug_stops.cpp).
  void begin_debugging(const DebugRequest* request);

  RunControl& control_;
  CodeCache cache_;
  Stubs stubs_;
  AddressSpace aspace_;
  LookupCache lookup_{stubs_.miss_target};
  InstructionBreakpoints breakpoints_;
  BlockFormer former_;
  GuestMemory memory_;
  Platform platform_;
  HiddenTime hidden_time_{platform_.apparent_clock};
  DeviceService devices_{platform_, cpu, &hidden_time_};
  StopRequests requests_;
  HelperContext context_;
  Bounce bounce_{context_, aspace_};
  AdaptiveSites adaptive_;
  void note_hot_fault(Block& block);
  DebugStops debug_;

  uint64_t flush_generation_ = 0;
  uint64_t hidden_fills_ = 0, dirty_upgrades_ = 0, table_writes_ = 0;
  // Exits by cause, keyed by the cause's string literal (a pointer hash, not
  // a string compare per exit); added into stats.exits when a run ends.
  // Hot causes keep a reference (unordered_map nodes never move).
  std::unordered_map<const char*, uint64_t> exit_counts_;
  uint64_t& indirect_miss_exits_ = exit_counts_["indirect_miss"];
  uint64_t& block_link_exits_ = exit_counts_["block_link"];
  void count_exit(const char* cause) {
    ++exit_counts_[cause];
    trace_exit(cause);
  }
  // Event tracing (bt86/vcpu/tracer.h): C++ paths only, never translated code.
  Tracer* const tracer_;
  void trace_exit(const char* cause) {
    if (tracer_ && tracer_->on(trace::kExit)) tracer_->exit(Tracer::where(cpu), cause);
  }

  HostFault fault_{};
  bool safepoint_hit_ = false;  // the last exit was a stop at the revoked poll page
  // The last guest #PF that translated code took (its access and where),
  // until an iret: one that returns to the faulting instruction maps the
  // page at once if the handler made it present, rather than after another
  // host fault (the access is retried next, so its A and D bits are due).
  struct PageFaultRetry {
    uint32_t linear, eip, cr3;
    uint16_t cs;
    bool write, user;
  };
  std::optional<PageFaultRetry> pf_retry_;
  void map_retried_access();
  // sti let an interrupt in: the instruction after it (its shadow) runs
  // alone before the interrupt is taken.
  bool sti_shadow_ = false;
  // Set when translation began: the interval until guest code runs again
  // (or the guest halts) is hidden from the guest's clocks.
  std::optional<HiddenTime::Mark> hide_from_;
  void end_hidden_interval();
  std::unique_ptr<TimerWaker> waker_;
  std::atomic<bool> timed_out_{false};
  // Every block entry returns to the run loop (no chaining, no indirect
  // table fills): virtual time and instruction-count slices see each block.
  bool count_blocks_ = false;
  uint64_t instructions_run_ = 0;
  // A slice ends here (RunLimits::slice_instructions); UINT64_MAX: never.
  uint64_t slice_end_ = UINT64_MAX;
  std::chrono::steady_clock::time_point slice_deadline_ = std::chrono::steady_clock::time_point::max();
};

}  // namespace bt86
