// The BT engine: owns the translation cache, the shadow window and the run
// loop, and is what every C++ helper receives. Private to translator/.
#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bt86/shadow/shadow_window.h"
#include "bt86/translator/bt_cpu.h"
#include "code_cache.h"
#include "compat32.h"
#include "stubs.h"

namespace bt86 {

struct PendingException {
  uint8_t vector;
  std::optional<uint32_t> error_code;
};

// What the signal handler saw when translated code faulted.
struct HostFault {
  int signo;
  uintptr_t addr;
  uintptr_t pc;
  bool write;
};

class Engine {
public:
  explicit Engine(GuestContext context);
  ~Engine();

  RunOutcome run(double timeout_seconds);

  CpuState& cpu;
  GuestRam& ram;
  Bus& io;
  Bus& mmio;
  RunControl& control;
  Stats stats;
  Compat32 compat32;

  // ---- for helpers -----------------------------------------------------
  // Ends the run because the guest did something we cannot go on from.
  HelperResult die(std::string message);
  // Raises a guest exception at the current instruction (cpu.eip).
  HelperResult raise(uint8_t vector, std::optional<uint32_t> error_code = std::nullopt);
  // #UD if the guest can take it (it has an IDT), else ends the run naming insn.
  HelperResult undefined(const Insn& insn);
  // Guest linear memory for C++ code (paging is off: linear == physical).
  // Returns false after raising the fault (or ending the run) itself.
  bool read_linear(uint32_t linear, void* dst, unsigned size);
  bool write_linear(uint32_t linear, const void* src, unsigned size);
  // Call after changing CR0, a segment register or anything else the block
  // mode depends on; refreshes the segment-base mirror.
  void state_changed();
  void set_eflags(uint32_t value);  // also updates the DF mirror

  // ---- for the signal handler -------------------------------------------
  bool owns_host_pc(uintptr_t pc) const { return cache_.contains(reinterpret_cast<const void*>(pc)); }
  void record_fault(const HostFault& f) { fault_ = f; }
  const Stubs& stubs() const { return stubs_; }
  uint8_t* poll_page() const { return cache_.poll_page(); }
  // Revokes the safepoint page so translated code stops at the next block.
  void request_stop();

  // ---- for the helper thunk ---------------------------------------------
  int run_helper(const HelperSite& site);

private:
  uint32_t current_mode() const;
  Block* lookup_or_translate(uint32_t eip, uint32_t mode);
  Block* translate(uint32_t eip, uint32_t mode);
  Block* after_exit();
  Block* handle_host_fault();
  Block* handle_code_write(uint32_t linear);
  void emulate_mmio();
  bool deliver(const PendingException& e);
  void reset_indirect_table();
  void forget_invalidated();
  bool fetch(uint32_t linear, uint8_t* buf, size_t& len) const;

  CodeCache cache_;
  Stubs stubs_;
  ShadowWindow window_;
  std::vector<IndirectEntry> indirect_;
  uint32_t indirect_mode_ = ~0u;
  uint64_t flush_generation_ = 0;

  std::optional<PendingException> pending_;
  std::optional<std::string> death_;
  HostFault fault_{};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> timed_out_{false};
};

}  // namespace bt86
