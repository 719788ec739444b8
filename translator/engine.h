// The BT engine: owns the translation cache, the shadow window and the run
// loop, and is what every C++ helper receives. Private to translator/.
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
#include "bt86/shadow/address_space.h"
#include "bt86/translator/bt_cpu.h"
#include "code_cache.h"
#include "compat32.h"
#include "hidden_time.h"
#include "timer_waker.h"
#include "stubs.h"

namespace bt86 {

// What raised an event decides how its delivery is checked and what a fault
// while delivering it becomes (SDM vol. 3, 6.12.1.1, 6.13, 6.15).
enum class EventKind : uint8_t {
  kException,  // a fault or trap of the code: the double-fault classes apply
  kExternal,   // a device interrupt (EXT = 1 in error codes)
  kSoftware,   // int n, int3, into: the gate's DPL is checked, EXT = 0
  kIcebp,      // int1 (F1): a #DB trap, no DPL check, EXT = 1
};

struct PendingException {
  uint8_t vector;
  std::optional<uint32_t> error_code;
  EventKind kind = EventKind::kException;
  uint32_t return_eip = 0;  // int n, int3, into, int1: the instruction after them
  bool software() const { return kind == EventKind::kSoftware; }
  bool traps_past_instruction() const { return kind == EventKind::kSoftware || kind == EventKind::kIcebp; }
};

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
  // Drops translations and shadow mappings (see BtCpu::forget_guest_memory).
  void forget_guest_memory();
  uint64_t instructions_run() const { return instructions_run_; }

  CpuState& cpu;
  GuestRam& ram;
  Bus& io;
  Bus& mmio;
  RunControl& control;
  Stats stats;
  Compat32 compat32;

  // ---- for helpers -----------------------------------------------------
  LocalApic* apic() const { return platform_.apic; }
  // Ends the run because the guest did something we cannot go on from.
  HelperResult die(std::string message);
  // Raises a guest exception at the current instruction (cpu.eip).
  HelperResult raise(uint8_t vector, std::optional<uint32_t> error_code = std::nullopt);
  // An interrupt raised by the instruction at cpu.eip (int n, int3, into:
  // kSoftware; int1: kIcebp); a fault while delivering it reports the
  // instruction itself, success returns after it.
  HelperResult raise_software(uint8_t vector, uint32_t return_eip, EventKind kind = EventKind::kSoftware);
  // Leaves translated code and goes on at eip.
  HelperResult exit_to(uint32_t eip) {
    cpu.eip = eip;
    return HelperResult::kExit;
  }
  // #UD if the guest can take it (it has an IDT), else ends the run naming insn.
  HelperResult undefined(const Insn& insn);
  // Guest linear memory for C++ code, through the guest page tables.
  // kSupervisor: implicit supervisor accesses (descriptor tables, TSS,
  // interrupt frames) whatever the CPL. Returns false after raising #PF.
  enum class Privilege { kCurrent, kSupervisor };
  bool read_linear(uint32_t linear, void* dst, unsigned size, Privilege p = Privilege::kCurrent);
  bool write_linear(uint32_t linear, const void* src, unsigned size, Privilege p = Privilege::kCurrent);
  // A GDT, LDT or IDT entry at linear, read as the processor does (a
  // supervisor access), through the shadow descriptor tables.
  bool read_table_entry(uint32_t linear, Descriptor& out);
  // #PF for an instruction fetch at linear (an instruction whose bytes run
  // into a page that cannot be fetched).
  HelperResult fetch_fault(uint32_t linear);
  // After a write to CR0, CR3, CR4 or EFER: the new paging mode. A CR3
  // write flushes the (non-global) TLB even when the value is the same.
  void paging_changed(bool cr3_written = false);
  void invlpg(uint32_t linear);
  // Call after changing CR0, a segment register or anything else the block
  // mode depends on; refreshes the segment-base mirror.
  void state_changed();
  // The cheaper form after a data segment register (not CS) was loaded.
  void data_segment_changed(unsigned seg);
  void set_eflags(uint32_t value);  // also updates the DF mirror and host_ac
  // After a write to DR0-DR3 or DR7: true when the armed instruction
  // breakpoints changed. Translations carry their checks, so they are
  // dropped before guest code runs again; the helper must leave its block.
  bool breakpoints_changed();
  // The DR6 bits (B0-B3) of the armed instruction breakpoints at linear.
  uint32_t breakpoint_hits(uint32_t linear) const;
  // cpu.host_ac from CR0.AM, EFLAGS.AC and the CPL (#AC runs natively).
  void refresh_host_ac();
  // Helpers that loop over a guest-chosen count (rep ins/outs, string
  // instructions on devices) ask this at every iteration boundary after
  // their first iteration. True: stop there, with ESI/EDI/ECX updated and
  // cpu.eip still at the instruction, and leave translated code, so that the
  // run loop can stop (timeout), service devices or deliver an interrupt
  // before the instruction goes on, as a CPU takes them between iterations.
  bool string_loop_must_yield(unsigned iterations_done) const;
  // At most this many iterations per helper call even when nothing is
  // waiting: block counts (virtual time, slices) then see the loop progress.
  static constexpr unsigned kStringBurst = 4096;
  // cpu.irq_pending from the interrupt controller, for the inline sti/popf.
  void refresh_irq_pending() { cpu.irq_pending = platform_.interrupts && platform_.interrupts->interrupt_pending(); }

  // ---- for the signal handler -------------------------------------------
  bool owns_host_pc(uintptr_t pc) const { return cache_.contains(reinterpret_cast<const void*>(pc)); }
  // Resolves a fault the guest must not see (filling a shadow mapping, the
  // dirty upgrade); false when the run loop has to look at it.
  bool try_hidden_fault(uintptr_t host_addr, bool write);
  void record_fault(const HostFault& f) { fault_ = f; }
  const Stubs& stubs() const { return stubs_; }
  uint8_t* poll_page() const { return cache_.poll_page(); }
  // Revokes the safepoint page so translated code stops at the next block.
  void request_stop();
  // Same, to look at the devices (a deadline passed, input, an interrupt).
  void request_service();

  // ---- for the helper thunk ---------------------------------------------
  int run_helper(const HelperSite& site);
  // The access thunk: one step of an instruction in a bounce block.
  int run_access(const HelperSite& site);

  // ---- for bounce blocks (bounce.cpp) -------------------------------------
  // Where the instruction at cpu.eip accesses `size` bytes at linear:
  // cpu.access_address := their offset from the window base (the address
  // itself for plain RAM, else a scratch buffer filled by a read). Raises
  // #PF if a page of them does not allow the access.
  HelperResult redirect_access(uint32_t linear, unsigned size, bool read, bool write);
  // After the store to a redirected write: the scratch bytes go out.
  HelperResult commit_access();

private:
  uint32_t current_mode() const;
  // Device work between runs of translated code: input, timers, and the
  // delivery of a pending external interrupt.
  void service_devices();
  // An NMI, or an external interrupt that EFLAGS.IF lets in, waits.
  bool interrupt_deliverable() const;
  // A halted CPU with IF set: wait for the next deadline or input.
  void wait_while_halted();
  PagingMode paging_mode() const { return {cpu.cr0, cpu.cr3, cpu.cr4, cpu.efer}; }
  bool user_mode() const { return cpu.cpl() == 3; }
  // Block lookup by linear EIP; nullptr after raising a fetch fault.
  Block* lookup_or_translate(uint32_t eip, uint32_t mode);
  bool last_fetch_global_ = false;  // the page of lookup_or_translate's eip is global
  Block* translate(uint32_t eip, uint64_t phys, uint32_t mode);
  Block* after_exit();
  Block* handle_host_fault();
  Block* handle_code_write(uint32_t phys);
  // The instruction of `faulting` at cpu.eip touched bytes that are not
  // plain RAM in the window: it runs again as a bounce block.
  Block* bounce(const Block& faulting);
  // Instruction bytes at phys (one page at most): RAM, else the MMIO bus.
  void fetch_physical(uint64_t phys, uint8_t* dst, size_t n);
  bool deliver(const PendingException& e);
  struct IndirectTable {
    std::vector<IndirectEntry> entries;
    std::vector<uint32_t> filled;  // indices in use, so a reset touches only them
  };
  IndirectTable& indirect_table(uint32_t mode);
  void remember_indirect(uint32_t mode, uint32_t eip, const uint8_t* host, bool global);
  // keep_global: a CR3 load, after which global pages translate as before.
  void reset_indirect_tables(bool keep_global = false);
  void forget_invalidated();
  void invalidate_code(uint32_t phys);
  bool access_linear(uint32_t linear, void* buf, unsigned size, bool write, Privilege p);

  CodeCache cache_;
  Stubs stubs_;
  AddressSpace aspace_;
  DescriptorCache descriptors_;
  // Indirect-branch tables by block mode (kept apart so CPL switches do not
  // clear them); reset when linear-to-physical translation may change, but
  // for entries in global pages when only CR3 was loaded.
  std::unordered_map<uint32_t, IndirectTable> indirect_;
  uint64_t flush_generation_ = 0;
  uint64_t hidden_fills_ = 0, dirty_upgrades_ = 0, table_writes_ = 0;
  // Exits by cause, keyed by the cause's string literal (a pointer hash, not
  // a string compare per exit); added into stats.exits when a run ends.
  // Hot causes keep a reference (unordered_map nodes never move).
  std::unordered_map<const char*, uint64_t> exit_counts_;
  uint64_t& indirect_miss_exits_ = exit_counts_["indirect_miss"];
  uint64_t& block_link_exits_ = exit_counts_["block_link"];
  void count_exit(const char* cause) { ++exit_counts_[cause]; }

  // Bounce blocks' accesses that are not plain RAM run natively on these
  // buffers (two, for an instruction's source and destination; up to
  // fxsave's 512 bytes at the address's offset within 64 bytes, so its
  // alignment stays), and a write reaches the guest at its commit.
  static constexpr unsigned kAccessSlot = 1024;
  alignas(64) uint8_t access_scratch_[2][kAccessSlot] = {};
  unsigned next_slot_ = 0;
  struct PendingWrite {
    uint32_t linear;
    unsigned size;
    const uint8_t* data;
  };
  std::optional<PendingWrite> pending_write_;

  std::optional<PendingException> pending_;
  std::optional<std::string> death_;
  HostFault fault_{};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> service_requested_{false};
  bool safepoint_hit_ = false;  // the last exit was a stop at the revoked poll page
  // sti let an interrupt in: the instruction after it (its shadow) runs
  // alone before the interrupt is taken.
  bool sti_shadow_ = false;
  // Instruction breakpoints (DR7 enabled, R/W 00): their linear addresses,
  // and whether translations made before the last change must go.
  std::vector<uint32_t> breakpoints_;
  bool breakpoints_stale_ = false;
  // Drops every translation (the cache filled, or breakpoints changed).
  void flush_translations();
  Platform platform_;
  HiddenTime hidden_time_{platform_.apparent_clock};
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
