// The run loop of the BT backend: find or translate the block at EIP,
// enter translated code, and deal with whatever made it exit.
#include "dispatch/engine.h"

#include "bt86/segmentation/interrupt_delivery.h"

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fmt/format.h>
#include <mutex>
#include <thread>
#include <utility>

#include <poll.h>
#include <sys/mman.h>

#include "bt86/segmentation/segment_check.h"
#include "emit/block_builder.h"
#include "emit/emit.h"
#include "dispatch/host_faults.h"
#include "runtime/helpers.h"

namespace bt86 {

namespace {
// Deterministic time: each translated guest instruction run counts 1 ns.
constexpr uint64_t kVirtualNsPerInstruction = 1;

// Wakes up once after `seconds` and asks the engine to stop, unless
// cancelled first.
class Watchdog {
public:
  Watchdog(double seconds, Engine& engine, std::atomic<bool>& fired) {
    if (seconds <= 0) return;
    thread_ = std::thread([this, seconds, &engine, &fired] {
      std::unique_lock lock(mutex_);
      if (!cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return cancelled_; })) {
        fired = true;
        engine.request_stop();
      }
    });
  }
  ~Watchdog() {
    if (!thread_.joinable()) return;
    { std::lock_guard lock(mutex_); cancelled_ = true; }
    cv_.notify_all();
    thread_.join();
  }

private:
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool cancelled_ = false;
};
}  // namespace

Engine::Engine(GuestContext c)
    : machine_cpu_(c.cpu), control_(c.control), stubs_(Stubs::generate(cache_)), aspace_(c.ram),
      former_(c.ram, c.mmio, aspace_, stubs_, cache_, breakpoints_), memory_(c.ram, c.mmio, aspace_, cache_, lookup_),
      platform_(c.platform),
      context_(frame_, memory_, c.io, c.control, breakpoints_, devices_, requests_), tracer_(c.platform.tracer) {
  context_.tracer = tracer_;
  if (tracer_ && tracer_->perf_map()) stubs_.describe(*tracer_);
  context_.debug = &debug_;
  former_.debug = &debug_;
  former_.adaptive = &adaptive_;
  if (platform_.routing)
    platform_.routing->changed = [this] {
      routing_changed_ = true;
      context_.leave_block = true;
      request_service();
    };
  // DMA that replaced translated code: leave the block, which may be stale.
  if (platform_.ram_writes)
    platform_.ram_writes->observer = [this](uint64_t gpa, uint64_t len) {
      if (memory_.physical_written(gpa, len)) context_.leave_block = true;
    };
}

Engine::~Engine() {
  if (platform_.routing) platform_.routing->changed = nullptr;
  if (platform_.ram_writes) platform_.ram_writes->observer = nullptr;
}

void Engine::follow_routing() {
  routing_changed_ = false;
  if (!platform_.routing) return;
  if (!aspace_.set_a20(platform_.routing->a20_open)) aspace_.flush_all();  // (set_a20 flushes when it changes)
  flush_translations();  // blocks are keyed by the physical address their code came from
}

void Engine::request_stop() {
  requests_.stop = true;
  mprotect(cache_.poll_page(), CodeCache::kPage, PROT_NONE);
}

void Engine::request_service() {
  requests_.service = true;
  mprotect(cache_.poll_page(), CodeCache::kPage, PROT_NONE);
}

void Engine::service_devices() {
  devices_.service(waker_.get());
  if (!context_.pending() && !sti_shadow_ && context_.interrupt_deliverable()) {
    cpu.halted = false;
    if (!cpu.nmi_blocked && devices_.nmi_pending()) {  // NMIs come first and ignore IF
      devices_.acknowledge_nmi();
      cpu.nmi_blocked = true;
      count_exit("nmi");
      context_.raise_event(Event{number(Vector::kNMI), std::nullopt, EventKind::kExternal});
    } else {
      count_exit("external_interrupt");
      context_.raise_event(Event{devices_.acknowledge(), std::nullopt, EventKind::kExternal});
    }
  }
  if (waker_ && platform_.events) waker_->set_deadline(devices_.next_deadline().value_or(UINT64_MAX));
}

void Engine::end_hidden_interval() {
  if (hide_from_) hidden_time_.hide_since(*hide_from_, cpu);
  hide_from_.reset();
  if (tracer_) tracer_->release_time();
}

void Engine::wait_while_halted() {
  count_exit("halt_wait");
  end_hidden_interval();  // a halt is the guest's own time
  // The timer waker pauses while this thread sleeps (its wake-up would
  // revoke the poll page, an mprotect per timer tick); service_devices()
  // gives it the deadline again before guest code runs.
  uint64_t limit = DeviceService::kNever;
  if (slice_deadline_ != std::chrono::steady_clock::time_point::max()) {  // ends a slice on time
    auto left = std::max(slice_deadline_ - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration::zero());
    limit = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
  }
  devices_.halt_wait(waker_.get(), limit);
}

void Engine::forget_invalidated() {
  for (Block* b : cache_.last_invalidated()) {
    lookup_.forget(*b);
    ++stats.blocks_invalidated;
  }
}

uint32_t Engine::current_mode() const {
  uint32_t m = 0;
  if (cpu.code32()) m |= mode::kCode32;
  if (cpu.protected_mode()) m |= mode::kProtected;
  if (cpu.paging()) m |= mode::kPaging;
  if (cpu.cr0 & (cr0::kTS | cr0::kEM)) m |= mode::kFpuTrap;
  bool flat = !(cpu.seg_checked & (1u << kCs | 1u << kDs | 1u << kEs | 1u << kSs));
  for (unsigned s : {kCs, kDs, kEs, kSs}) flat &= cpu.seg[s].base == 0;
  if (flat) m |= mode::kFlat;
  m |= cpu.seg_checked << mode::kCheckedShift;
  m |= cpu.cpl() << mode::kCplShift;
  if ((cpu.cr4 & cr4::kTSD) && cpu.cpl() > 0) m |= mode::kTscFaults;
  if (!cpu.stack32()) m |= mode::kStack16;
  if (cpu.eflags & eflags::kVM) m |= mode::kV86;
  if (!(cpu.cr4 & cr4::kOSFXSR)) m |= mode::kSseOff;
  return m;
}

Block* Engine::translate(uint32_t eip, uint64_t phys, uint32_t mode) {
  std::unique_ptr<Block> block = former_.form(eip, cpu.seg[kCs].base, phys, mode);
  if (!block) return nullptr;  // cache full
  if (tracer_ && tracer_->on(trace::kTranslate))
    tracer_->translation(Tracer::where(cpu), eip, block->guest_end, phys, block->instructions);
  if (tracer_ && tracer_->perf_map())
    tracer_->host_code(block->host, block->host_size, eip, block->guest_end, (mode >> mode::kCplShift) & 3,
                       mode & mode::kBounce ? "bounce" : mode & mode::kSingle ? "single" : "");
  ++stats.blocks_translated;
  stats.guest_instructions_translated += block->instructions;
  stats.tc_bytes += block->host_size;
  Block* raw = block.get();
  if (raw->key.mode & mode::kSingle) {
    cache_.adopt_single(std::move(block));
  } else {
    for (uint32_t page : raw->phys_pages)
      if (page != ~0u) aspace_.protect_code(page);
    cache_.insert(std::move(block));
  }
  return raw;
}

Block* Engine::lookup_or_translate(uint32_t eip, uint32_t mode) {
  const uint32_t linear = code_linear(eip);
  Walk w = aspace_.translate(linear, Access::kFetch, ((mode >> mode::kCplShift) & 3) == 3);
  last_fetch_global_ = w.global;
  if (!w.ok) {
    context_.raise_pf(linear, w.error_code);
    return nullptr;
  }
  // Code outside RAM (a device, open bus) is fetched again at every run:
  // nothing tells us when it changes.
  if (!aspace_.reads_ram(w.phys)) mode |= mode::kSingle;
  const uint64_t phys = w.phys;
  if (!(mode & mode::kSingle))
    if (Block* b = cache_.find({static_cast<uint32_t>(phys), eip, mode})) return b;
  // The guest does not see the time translation takes (hidden_time.h),
  // counted until its code runs again.
  if (!hide_from_) {
    hide_from_ = hidden_time_.mark();
    if (tracer_) tracer_->hold_time();
  }
  Block* b = translate(eip, phys, mode);
  if (!b) {
    flush_translations();
    b = translate(eip, phys, mode);
    if (!b) throw std::runtime_error("translation cache cannot hold a single block");
  }
  return b;
}

void Engine::flush_translations() {
  cache_.flush();
  ++flush_generation_;
  ++stats.tc_flushes;
  lookup_.reset();
}

void Engine::forget_guest_memory() {
  cache_.flush();
  ++flush_generation_;
  memory_.forget_all();
}

RunOutcome Engine::run(const RunLimits& limits) {
  // The machine's CpuState is the guest's between runs (another backend may
  // run it next); during the run it is the frame's.
  frame_.state = machine_cpu_;
  if (platform_.cpu_state_moved) platform_.cpu_state_moved(&frame_.state);
  if (tracer_) tracer_->set_cpu(&cpu);
  struct CopyBack {
    CpuState& to;
    const CpuState& from;
    const Platform& platform;
    ~CopyBack() {
      to = from;
      if (platform.cpu_state_moved) platform.cpu_state_moved(nullptr);
    }
  } copy_back{machine_cpu_, frame_.state, platform_};
  const double timeout_seconds = limits.timeout_seconds;
  FaultHandlerScope faults(*this);
  Watchdog watchdog(timeout_seconds, *this, timed_out_);
  // Slices are checked in the run loop (no timer thread: a switched guest
  // runs thousands of slices), so every block must come back to it.
  count_blocks_ = platform_.virtual_clock || limits.slice_instructions || limits.slice_seconds > 0;
  const uint64_t slice_start = instructions_run_;
  slice_end_ = limits.slice_instructions ? slice_start + limits.slice_instructions : UINT64_MAX;
  slice_deadline_ = limits.slice_seconds > 0
                        ? std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                                 std::chrono::duration<double>(limits.slice_seconds))
                        : std::chrono::steady_clock::time_point::max();
  auto start = std::chrono::steady_clock::now();
  auto finish = [&](int status, std::string message) {
    end_hidden_interval();
    // Sums over runs: a switched guest runs here many times.
    stats.run_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    stats.hidden_seconds = static_cast<double>(hidden_time_.hidden_ns()) / 1e9;
    stats.still_hidden_seconds = static_cast<double>(hidden_time_.behind_ns()) / 1e9;
    stats.host_faults["shadow_fill"] += hidden_fills_;
    stats.host_faults["dirty_upgrade"] += dirty_upgrades_;
    stats.host_faults["trace"] += table_writes_;
    hidden_fills_ = dirty_upgrades_ = table_writes_ = 0;
    for (auto& [cause, n] : exit_counts_)
      if (n) stats.exits[cause] += std::exchange(n, 0);
    const AddressSpace::Counters& shadow = aspace_.counters();
    stats.shadow["mapping_budget_flushes"] = shadow.budget_flushes;
    stats.shadow["context_switches"] = shadow.context_switches;
    stats.shadow["context_hits"] = shadow.context_hits;
    stats.shadow["context_evictions"] = shadow.context_evictions;
    stats.fast_paths["to_kernel"] += std::exchange(context_.fast_paths.to_kernel, 0);
    stats.fast_paths["iret"] += std::exchange(context_.fast_paths.iret, 0);
    if (waker_) {  // no wake-ups while another backend runs the guest
      waker_->pause();
      waker_->rearm_input(-1);
    }
    return RunOutcome{status, std::move(message)};
  };
  context_.all_segments_changed();
  set_eflags(context_, cpu.eflags);
  context_.paging_changed(false);
  breakpoints_.update(cpu);  // another backend may have armed or disarmed some
  begin_debugging(limits.debug);
  // Another backend may have run the guest meanwhile.
  if (platform_.routing && aspace_.set_a20(platform_.routing->a20_open)) flush_translations();
  if (platform_.clock && !platform_.virtual_clock && !waker_)
    waker_ = std::make_unique<TimerWaker>(*platform_.clock, [this] { request_service(); });

  Block* next = nullptr;
  for (;;) {
    // A one-instruction block lives in the garbage list until it has run.
    bool single = next && (next->key.mode & mode::kSingle);
    bool next_ok = next && (single || next->valid);
    if (!single) cache_.collect_garbage();
    if (!next_ok) next = nullptr;
    if (control_.exit_status) return finish(*control_.exit_status, control_.reason);
    if (context_.death()) return finish(exit_status::kGuestDied, death_report(*context_.death(), cpu, tracer_));
    if (timed_out_) return finish(exit_status::kTimeout, fmt::format("timeout after {} s", timeout_seconds));
    // Whoever revoked the poll page (watchdog, waker, helper) set a flag
    // first; a stop at the page also proves it. Both orders of the other
    // thread's "flag, revoke" against this "clear, restore" end with the page
    // readable or with one more stop, never with a page that stays revoked.
    if (requests_.stop.exchange(false) | requests_.service.exchange(false) | std::exchange(safepoint_hit_, false))
      mprotect(cache_.poll_page(), CodeCache::kPage, PROT_READ);
    if (devices_.quit_requested()) return finish(0, "quit (Ctrl-A x)");
    if (breakpoints_.take_stale()) {  // translations carry the checks of the old ones
      flush_translations();
      next = nullptr;
    }
    if (routing_changed_) {
      follow_routing();
      next = nullptr;
    }
    // A debugger's stop comes before the devices' interrupts (an exception
    // the last instruction raised is delivered first).
    if (!context_.pending())
      if (std::optional<DebugStop> stop = debug_.take_stop()) {
        RunOutcome out = finish(exit_status::kDebugStop, "stopped for the debugger");
        out.debug_stop = *stop;
        return out;
      }
    service_devices();
    if (std::optional<Event> e = context_.take_pending()) {
      next = nullptr;
      if (!deliver_event(context_, *e)) continue;  // the guest is dead
      if (debug_.stepping()) {  // a step that delivers stops at the handler
        debug_.step_done();
        continue;
      }
    }
    // Nothing is pending here: the state is whole for another backend.
    // Every slice makes progress: at least one block, unless halted.
    bool slice_over = (instructions_run_ >= slice_end_ ||
                       (count_blocks_ && std::chrono::steady_clock::now() >= slice_deadline_)) &&
                      (instructions_run_ > slice_start || cpu.halted);
    if (slice_over) return finish(exit_status::kSliceEnded, "slice ended");
    if (cpu.halted) {
      if (!(cpu.eflags & eflags::kIF))
        return finish(exit_status::kHalted, fmt::format("guest halted with interrupts disabled at EIP={:#010x}", cpu.eip));
      if (!devices_.has_interrupt_controller())
        return finish(exit_status::kHalted,
                      fmt::format("guest halted at EIP={:#010x} and no device can interrupt it", cpu.eip));
      wait_while_halted();
      continue;
    }
    follow_cs_base();
    uint32_t mode = current_mode();
    // EFLAGS.TF or a debugger's step: one uncached instruction at a time,
    // then #DB (a trap) or the debugger's stop. A bounce block is one
    // instruction already.
    const bool trap_flag = cpu.eflags & eflags::kTF;  // as the instruction starts: popf may change it
    const bool stepping = trap_flag || debug_.stepping();
    // EFLAGS.RF (an iret from a debug handler): the next instruction runs
    // alone, without its instruction breakpoint, and RF clears once it
    // completed. The instruction in sti's shadow runs alone too.
    const bool resuming = cpu.eflags & eflags::kRF;
    const bool one = stepping || resuming || std::exchange(sti_shadow_, false);
    if (one && !(next && (next->key.mode & mode::kBounce))) next = lookup_or_translate(cpu.eip, mode | mode::kSingle);
    if (!next) next = lookup_or_translate(cpu.eip, mode);
    if (!next) continue;  // a fetch fault is pending
    frame_.window_base = reinterpret_cast<uint64_t>(aspace_.base(user_mode()));
    frame_.indirect_table = reinterpret_cast<uint64_t>(lookup_.table(mode));
    context_.refresh_host_ac();
    refresh_irq_pending();
    end_hidden_interval();
    stubs_.enter(&frame_, next->host);
    if (count_blocks_) instructions_run_ += next->instructions;
    if (platform_.virtual_clock) platform_.virtual_clock->advance(next->instructions * kVirtualNsPerInstruction);
    // A host fault leaves its instruction undone (a stop, an exception, or
    // a retry as a bounce block): no trap for it yet.
    const bool completed = frame_.exit_info != exit_tag::kHostFault;
    next = after_exit();
    forget_invalidated();
    if (resuming && completed && !context_.pending()) cpu.eflags &= ~eflags::kRF;
    if (completed && debug_.stepping()) debug_.step_done();
    if (trap_flag && completed && !context_.pending() && !context_.death() && !control_.exit_status) {
      cpu.dr[6] |= 1u << 14;  // DR6.BS
      context_.raise(Vector::kDB);
      next = nullptr;
    }
  }
}

// ---- the public facade ----------------------------------------------------

Translator::Translator(GuestContext context) : engine_(std::make_unique<Engine>(context)) {}
Translator::~Translator() = default;
RunOutcome Translator::run(const RunLimits& limits) { return engine_->run(limits); }
void Translator::interrupt() { engine_->interrupt(); }
void Translator::forget_guest_memory() { engine_->forget_guest_memory(); }
uint64_t Translator::instructions_run() const { return engine_->instructions_run(); }
const Stats& Translator::stats() const { return engine_->stats; }

}  // namespace bt86
