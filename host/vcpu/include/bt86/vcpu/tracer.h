// Event tracing (--trace EVENTS --trace-file FILE): one line per event,
// with the guest's time, EIP and CPL. Every hook sits on a C++ path of a
// backend (interrupt delivery, device accesses, helpers, the run loop,
// translation), never in translated code, so a trace that is off costs a
// test of a word on those paths and nothing in the guest's own code.
//
// Interrupts and exceptions are also kept, whatever --trace says, in a ring
// of the last 16: a backend whose guest dies prints them before the state
// dump (death_report), the first thing one wants after a triple fault.
#pragma once
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "bt86/devices/clock.h"
#include "bt86/segmentation/cpu_state.h"
#include "bt86/segmentation/event.h"

namespace bt86 {

namespace trace {
constexpr uint32_t kInt = 1u << 0;        // interrupts and exceptions: vector, error code
constexpr uint32_t kIo = 1u << 1;         // port I/O and MMIO accesses with their values
constexpr uint32_t kCr = 1u << 2;         // control-register writes
constexpr uint32_t kMode = 1u << 3;       // real/protected/virtual-8086 and paging changes
constexpr uint32_t kExit = 1u << 4;       // exits to the engine, by cause
constexpr uint32_t kTranslate = 1u << 5;  // each block translated, with its guest range
}  // namespace trace

// "int,io,cr" -> the mask; nullopt (and `error` says which) for an unknown name.
std::optional<uint32_t> parse_trace_events(std::string_view list, std::string& error);

class Tracer {
public:
  // Where an event happened.
  struct Where {
    uint32_t eip;
    unsigned cpl;
  };

  // Writes the events of `events` to `out` (not closed here; may be null
  // when events is 0).
  Tracer(uint32_t events, std::FILE* out) : events_(events), out_(out) {}

  bool on(uint32_t event) const { return events_ & event; }
  // The guest's clock of the machine being run (a restart brings a new one).
  void set_clock(const Clock* clock);
  // While bt86 works on its own (translating), the guest's clock stands
  // still and is set back afterwards (hidden_time.h): events in between
  // carry the time at which it stopped.
  void hold_time() { held_ns_ = now(); }
  void release_time() { held_ns_.reset(); }
  // Where the running backend's guest state is, for events that do not say
  // where they happened (device accesses); null: unknown.
  void set_cpu(const CpuState* cpu) { cpu_ = cpu; }
  static Where where(const CpuState& cpu) { return {cpu.eip, cpu.cpl()}; }

  // An event the CPU is about to deliver (always kept in the ring).
  void interrupt(Where at, const Event& event);
  // A device access; `port`: the I/O bus, else MMIO.
  void io(bool port, bool write, uint64_t address, unsigned size, uint32_t value);
  void cr(Where at, unsigned n, uint64_t old_value, uint64_t new_value);
  // After CR0/CR4/EFER/EFLAGS.VM may have changed: a line when the mode did.
  void mode(Where at, const CpuState& cpu);
  void exit(Where at, std::string_view cause);
  void translation(Where at, uint32_t start, uint32_t end, uint64_t phys, unsigned instructions);

  // --perf-map: name host code for `perf report` in perf's JIT map format
  // (/tmp/perf-PID.map, one "START SIZE NAME" line per piece of code), so
  // samples in translated code are charged to the guest code they run.
  void set_perf_map(std::FILE* map) { perf_map_ = map; }
  bool perf_map() const { return perf_map_; }
  // A translated block of guest [start, end) at `cpl`; `kind` says what is
  // unusual about it ("" for an ordinary block).
  void host_code(const void* host, size_t size, uint32_t start, uint32_t end, unsigned cpl, std::string_view kind);
  // bt86's own generated code (the helper thunk, the exits).
  void host_code(const void* host, size_t size, std::string_view name);

  // The ring, oldest first, one line each; empty when nothing was delivered.
  std::string recent_interrupts() const;
  static constexpr unsigned kRing = 16;

private:
  // An interrupt kept in the ring is stamped with the host TSC when reading
  // the guest clock would read the host's (a twelfth of an int 0x80 round
  // trip), and its time is worked out when the ring is printed: exact but
  // for bt86's hidden time since (hidden_time.h).
  struct Delivered {
    uint64_t ns;
    uint64_t tsc;  // 0: ns is the time
    Where at;
    Event event;
  };
  // The guest's time, never before an earlier event's (setting the clock
  // back after a hidden interval can land a little before the time held).
  uint64_t now();
  void line(uint64_t ns, Where at, std::string_view what);

  uint32_t events_;
  std::FILE* out_;
  const Clock* clock_ = nullptr;
  bool clock_reads_host_ = false;  // clock_->reads_host(), asked once
  const CpuState* cpu_ = nullptr;
  Delivered ring_[kRing] = {};
  uint64_t delivered_ = 0;
  std::optional<uint32_t> last_mode_;
  std::optional<uint64_t> held_ns_;
  uint64_t last_ns_ = 0;
  uint64_t clock_set_tsc_ = 0, clock_set_ns_ = 0;  // read together at set_clock
  std::FILE* perf_map_ = nullptr;
};

// A dying guest's report: why, the last interrupts (when a tracer kept
// them), and the state dump.
std::string death_report(const std::string& why, const CpuState& cpu, const Tracer* tracer);

}  // namespace bt86
