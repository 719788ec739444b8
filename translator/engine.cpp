// The run loop of the BT backend: find or translate the block at EIP,
// enter translated code, and deal with whatever made it exit.
#include "engine.h"

#include <algorithm>
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
#include "block_builder.h"
#include "emit.h"
#include "helpers.h"
#include "host_faults.h"

namespace bt86 {

namespace {
constexpr unsigned kMaxBlockInstructions = 96;
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
    : cpu(c.cpu), ram(c.ram), io(c.io), mmio(c.mmio), control(c.control),
      stubs_(Stubs::generate(cache_)), aspace_(c.ram), platform_(c.platform) {}

Engine::~Engine() = default;

void Engine::request_stop() {
  stop_requested_ = true;
  mprotect(cache_.poll_page(), CodeCache::kPage, PROT_NONE);
}

void Engine::request_service() {
  service_requested_ = true;
  mprotect(cache_.poll_page(), CodeCache::kPage, PROT_NONE);
}

bool Engine::interrupt_deliverable() const {
  const InterruptController* ic = platform_.interrupts;
  return ic && ((!cpu.nmi_blocked && ic->nmi_pending()) || ((cpu.eflags & eflags::kIF) && ic->interrupt_pending()));
}

bool Engine::string_loop_must_yield(unsigned iterations_done) const {
  return iterations_done >= kStringBurst || stop_requested_ || service_requested_ || control.exit_status.has_value() ||
         interrupt_deliverable();
}

void Engine::service_devices() {
  if (platform_.pump_input) platform_.pump_input();
  if (waker_) {
    bool wanted = platform_.input_fd && (!platform_.wants_input || platform_.wants_input());
    waker_->rearm_input(wanted ? platform_.input_fd() : -1);
  }
  if (platform_.events && platform_.clock) platform_.events->run_expired(platform_.clock->now_ns());
  if (!pending_ && !sti_shadow_ && interrupt_deliverable()) {
    InterruptController& ic = *platform_.interrupts;
    cpu.halted = false;
    if (!cpu.nmi_blocked && ic.nmi_pending()) {  // NMIs come first and ignore IF
      ic.acknowledge_nmi();
      cpu.nmi_blocked = true;
      count_exit("nmi");
      pending_ = PendingException{2, std::nullopt, EventKind::kExternal};
    } else {
      count_exit("external_interrupt");
      pending_ = PendingException{ic.acknowledge(), std::nullopt, EventKind::kExternal};
    }
    hidden_time_.catch_up_at_interrupt(cpu);
  }
  if (waker_ && platform_.events) waker_->set_deadline(platform_.events->next_deadline().value_or(UINT64_MAX));
}

void Engine::end_hidden_interval() {
  if (hide_from_) hidden_time_.hide_since(*hide_from_, cpu);
  hide_from_.reset();
}

void Engine::wait_while_halted() {
  count_exit("halt_wait");
  end_hidden_interval();  // a halt is the guest's own time
  auto deadline = platform_.events ? platform_.events->next_deadline() : std::nullopt;
  if (platform_.virtual_clock) {  // nothing else can happen: jump to the next event
    if (deadline && *deadline > platform_.virtual_clock->now_ns())
      platform_.virtual_clock->advance(*deadline - platform_.virtual_clock->now_ns());
    return;
  }
  // Sleep in the host until the deadline or input: an idle guest costs ~0% CPU.
  // This thread wakes itself, so the waker need not (its wake-up would
  // revoke the poll page, an mprotect per timer tick); service_devices()
  // gives it the deadline again before guest code runs.
  // A halt is where the guest gets back the time it did not see: up to its
  // next timer (or all of it when none is set), which then fires at once.
  if (uint64_t behind = hidden_time_.behind_ns()) {
    uint64_t now = platform_.clock->now_ns();
    uint64_t gap = deadline ? (*deadline > now ? *deadline - now : 0) : behind;
    if (gap && hidden_time_.catch_up(gap, cpu) == gap) return;
  }
  if (waker_) waker_->pause();
  timespec timeout{0, 100'000'000}, *wait = &timeout;
  if (deadline) {
    uint64_t now = platform_.clock->now_ns();
    uint64_t left = *deadline > now ? std::min<uint64_t>(*deadline - now, 100'000'000) : 0;
    timeout = {0, static_cast<long>(left)};
  }
  if (slice_deadline_ != std::chrono::steady_clock::time_point::max()) {  // ends a slice on time
    auto left = std::max(slice_deadline_ - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration::zero());
    timeout.tv_nsec = std::min<long>(timeout.tv_nsec, std::chrono::duration_cast<std::chrono::nanoseconds>(left).count());
  }
  pollfd fd{platform_.input_fd ? platform_.input_fd() : -1, POLLIN, 0};
  ppoll(&fd, fd.fd >= 0 ? 1 : 0, wait, nullptr);
}

Engine::IndirectTable& Engine::indirect_table(uint32_t mode) {
  auto [it, fresh] = indirect_.try_emplace(mode);
  if (fresh) it->second.entries.assign(kIndirectEntries, {0, 0, stubs_.miss_target});
  return it->second;
}

void Engine::remember_indirect(uint32_t mode, uint32_t eip, const uint8_t* host, bool global) {
  IndirectTable& t = indirect_table(mode);
  uint32_t index = eip & (kIndirectEntries - 1);
  if (t.entries[index].host == stubs_.miss_target) t.filled.push_back(index);
  t.entries[index] = {0u - eip, global ? kIndirectGlobal : 0, host};
}

void Engine::reset_indirect_tables(bool keep_global) {
  constexpr uint32_t kListed = 1u << 31;  // marks a kept index, so it is kept once
  for (auto& [mode, table] : indirect_) {
    size_t kept = 0;
    for (uint32_t index : table.filled) {
      IndirectEntry& e = table.entries[index];
      if (keep_global && (e.flags & kIndirectGlobal) && e.host != stubs_.miss_target) {
        if (!(e.flags & kListed)) table.filled[kept++] = index;
        e.flags |= kListed;
      } else {
        e = {0, 0, stubs_.miss_target};
      }
    }
    table.filled.resize(kept);
    for (uint32_t index : table.filled) table.entries[index].flags &= ~kListed;
  }
}

void Engine::forget_invalidated() {
  for (Block* b : cache_.last_invalidated()) {
    auto it = indirect_.find(b->key.mode);
    if (it != indirect_.end()) {
      IndirectEntry& e = it->second.entries[b->guest_eip & (kIndirectEntries - 1)];
      if (e.host == b->host) e = {0, 0, stubs_.miss_target};
    }
    ++stats.blocks_invalidated;
  }
}

void Engine::invalidate_code(uint32_t phys) {
  cache_.invalidate_page(phys);
  aspace_.unprotect_code(phys);
}

void Engine::paging_changed(bool cr3_written) {
  PagingMode before = aspace_.mode();
  aspace_.set_mode(paging_mode(), cr3_written);  // the shadow of the new CR3, kept coherent by tracing
  descriptors_.forget_all();  // a TLB flush, or a new translation
  const PagingMode& after = aspace_.mode();
  if (before.cr0 != after.cr0 || before.cr4 != after.cr4 || before.efer != after.efer) reset_indirect_tables();
  else if (cr3_written || before.cr3 != after.cr3) reset_indirect_tables(/*keep_global=*/true);
}

void Engine::invlpg(uint32_t linear) {
  aspace_.flush_page(linear);
  descriptors_.forget_all();
  // Only lookups of code in that page may now be stale.
  uint32_t page = linear & ~0xFFFu;
  auto forget = [&](IndirectEntry& e) {
    if (e.host != stubs_.miss_target && ((0u - e.neg_eip) & ~0xFFFu) == page) e = {0, 0, stubs_.miss_target};
  };
  for (auto& [mode, table] : indirect_) {
    // Whichever is shorter: the entries ever filled, or the page's 4096 slots.
    if (table.filled.size() < 0x1000)
      for (uint32_t i : table.filled) forget(table.entries[i]);
    else
      for (uint32_t i = page & (kIndirectEntries - 1), end = i + 0x1000; i < end; ++i) forget(table.entries[i]);
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
  if (!(cpu.cr4 & cr4::kOSFXSR)) m |= mode::kSseOff;
  return m;
}

void Engine::state_changed() {
  for (unsigned s = 0; s < 6; ++s) cpu.seg_base[s] = cpu.seg[s].base;
  refresh_segment_checks(cpu);
  refresh_host_ac();
}

void Engine::data_segment_changed(unsigned seg) {
  cpu.seg_base[seg] = cpu.seg[seg].base;
  refresh_segment_check(cpu, seg);
}

void Engine::refresh_host_ac() {
  bool on = (cpu.cr0 & cr0::kAM) && (cpu.eflags & eflags::kAC) && cpu.cpl() == 3;
  cpu.host_ac = on ? eflags::kAC : 0;
}

void Engine::set_eflags(uint32_t value) {
  cpu.eflags = (value & eflags::kImplemented) | eflags::kFixed1;
  cpu.string_stride = (cpu.eflags & eflags::kDF) ? -1 : 1;
  refresh_host_ac();
}

namespace {
// Where the bytes of one instruction come from: up to two physical pages.
struct Fetched {
  uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH] = {};
  size_t len = 0;
  uint32_t second_page = ~0u;  // physical page of the bytes past the first page (RAM)
  bool second_page_faults = false;
  bool second_page_not_ram = false;
};
}  // namespace

void Engine::fetch_physical(uint64_t phys, uint8_t* dst, size_t n) {
  if (aspace_.is_ram(phys)) {
    // SAFETY: RAM ends at a page boundary and the n bytes stay in phys's page.
    std::memcpy(dst, ram.host(phys), n);
    return;
  }
  // A device answers what it reads; memory nobody backs reads as all ones,
  // so code there is 0xFF bytes (FF FF is #UD), as on a PC.
  for (size_t i = 0; i < n; ++i) dst[i] = static_cast<uint8_t>(mmio.read(phys + i, 1));
}

Block* Engine::translate(uint32_t eip, uint64_t phys, uint32_t mode) {
  const bool single = mode & mode::kOne;
  const bool user = ((mode >> mode::kCplShift) & 3) == 3;
  auto fresh = std::make_unique<Block>();
  fresh->key = {static_cast<uint32_t>(phys), eip, mode};  // (a non-RAM page's blocks are never cached)
  fresh->guest_eip = eip;
  fresh->phys_pages[0] = static_cast<uint32_t>(phys) & ~0xFFFu;
  BlockBuilder b(stubs_, cache_, std::move(fresh));

  // Instruction bytes at linear pc, whose page starts at physical `page`.
  auto fetch = [&](uint32_t pc) {
    Fetched f;
    uint32_t in_page = 4096 - (pc & 0xFFF);
    size_t n1 = std::min<size_t>(in_page, ZYDIS_MAX_INSTRUCTION_LENGTH);
    fetch_physical((phys & ~uint64_t{0xFFF}) + (pc & 0xFFF), f.bytes, n1);
    f.len = n1;
    if (n1 < ZYDIS_MAX_INSTRUCTION_LENGTH) {
      Walk w = aspace_.translate(pc + in_page, Access::kFetch, user);
      if (!w.ok) {
        f.second_page_faults = true;
        return f;
      }
      f.second_page_not_ram = !aspace_.is_ram(w.phys);
      if (!f.second_page_not_ram) f.second_page = static_cast<uint32_t>(w.phys) & ~0xFFFu;
      size_t n2 = ZYDIS_MAX_INSTRUCTION_LENGTH - n1;
      fetch_physical(w.phys & ~uint64_t{0xFFF}, f.bytes + n1, n2);
      f.len += n2;
    }
    return f;
  };

  uint32_t pc = eip;
  for (unsigned n = 0;; ++n) {
    Fetched f = fetch(pc);
    std::optional<Insn> insn;
    if (f.len) insn = decode({f.bytes, f.len}, pc, mode & mode::kCode32);
    bool straddles = insn && (pc & 0xFFF) + insn->length() > 4096;
    if (n > 0 && (!insn || straddles) && !single) {
      // Leave undecodable or page-straddling instructions to a block of
      // their own, so faults and page mappings are seen when they run.
      b.jump_to(pc);
      break;
    }
    b.begin_instruction(pc);
    // An instruction breakpoint: #DB before the instruction, fetch faults
    // and decoding (not again when a bounce block completes it).
    if (!(mode & mode::kBounce) && std::find(breakpoints_.begin(), breakpoints_.end(), pc) != breakpoints_.end()) {
      Insn at{};
      at.eip = pc;
      b.call_helper(helper_breakpoint, "breakpoint", insn ? *insn : at);
    }
    if (!insn) {
      Insn bad{};
      bad.eip = pc;
      std::memcpy(bad.bytes, f.bytes, sizeof bad.bytes);
      bad.info.length = static_cast<uint8_t>(std::min<size_t>(f.len, 4));
      bad.info.mnemonic = ZYDIS_MNEMONIC_INVALID;
      check_target(b, bad, pc);  // bytes past the CS limit: #GP(0), not #UD
      if (f.second_page_faults) {
        // Depends on a mapping, not on code bytes: never cache it.
        b.block().key.mode |= mode::kSingle;
        b.call_helper(helper_fetch_fault, "fetch_fault", bad);
      }
      else b.call_helper(helper_undefined, "undefined", bad);
      pc += 1;
      break;
    }
    if (straddles) b.block().phys_pages[1] = f.second_page;
    // Bytes from a device or open bus are not write-tracked: never cached.
    if (straddles && f.second_page_not_ram) b.block().key.mode |= mode::kSingle;
    ++b.block().instructions;
    Flow flow = emit_instruction(b, *insn);
    pc = insn->next_eip();
    if (flow == Flow::kEndBlock) break;
    if (single || straddles || n + 1 >= kMaxBlockInstructions || pc / CodeCache::kPage != eip / CodeCache::kPage) {
      b.jump_to(pc);
      break;
    }
  }
  b.block().guest_end = pc;
  std::unique_ptr<Block> block = b.finish(cache_);
  if (!block) return nullptr;  // cache full

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
  Walk w = aspace_.translate(eip, Access::kFetch, ((mode >> mode::kCplShift) & 3) == 3);
  last_fetch_global_ = w.global;
  if (!w.ok) {
    cpu.cr2 = eip;
    raise(14, w.error_code);
    return nullptr;
  }
  // Code outside RAM (a device, open bus) is fetched again at every run:
  // nothing tells us when it changes.
  if (!aspace_.is_ram(w.phys)) mode |= mode::kSingle;
  const uint64_t phys = w.phys;
  if (!(mode & mode::kSingle))
    if (Block* b = cache_.find({static_cast<uint32_t>(phys), eip, mode})) return b;
  // The guest does not see the time translation takes (hidden_time.h),
  // counted until its code runs again.
  if (!hide_from_) hide_from_ = hidden_time_.mark();
  Block* b = translate(eip, phys, mode);
  if (!b) {
    flush_translations();
    b = translate(eip, phys, mode);
    if (!b) throw std::runtime_error("translation cache cannot hold a single block");
  }
  return b;
}

int Engine::run_helper(const HelperSite& site) {
  cpu.eip = site.insn.eip;
  if (!site.exits) site.exits = &exit_counts_[site.cause];
  ++*site.exits;
  HelperResult r = site.fn(*this, site);
  if (!cache_.last_invalidated().empty()) {
    // A helper wrote guest code: if that was the block running now, do not
    // return into it.
    forget_invalidated();
    if (r == HelperResult::kContinue) {
      cpu.eip = site.insn.next_eip();
      r = HelperResult::kExit;
    }
  }
  refresh_irq_pending();  // a helper may have raised or unmasked a line (for the inline sti)
  if (r == HelperResult::kContinue && interrupt_deliverable()) {
    // A device raised a line, or IF was set: leave after this instruction,
    // and for sti after the next one, which its interrupt shadow covers
    // (run alone, so that whatever follows it in the block waits).
    if (site.fn == helper_sti) sti_shadow_ = true;
    cpu.eip = site.insn.next_eip(), r = HelperResult::kExit;
  }
  if (r == HelperResult::kContinue) return 0;
  cpu.exit_info = reinterpret_cast<uint64_t>(&site) | exit_tag::kHelper;
  return 1;
}

Block* Engine::after_exit() {
  uint64_t info = cpu.exit_info;
  if (info == exit_tag::kIndirectMiss) {
    ++indirect_miss_exits_;
    uint32_t mode = current_mode();
    Block* b = lookup_or_translate(cpu.eip, mode);
    // Not a one-instruction block (code outside RAM, a fetch fault): it is
    // freed at the next safe point, and its code must be fetched anew.
    if (b && b->valid && !count_blocks_) remember_indirect(mode, cpu.eip, b->host, last_fetch_global_);
    return b;
  }
  if (info == exit_tag::kHostFault) return handle_host_fault();
  if (info & exit_tag::kHelper) return nullptr;  // the helper left cpu.eip where to go on

  auto* link = reinterpret_cast<ExitLink*>(info);
  ++block_link_exits_;
  uint64_t generation = flush_generation_;
  // A bounce block always comes back here: what its accesses wrote may
  // have replaced translated code (see Engine::commit_access).
  bool chainable = link->owner->valid && !(link->owner->key.mode & mode::kBounce);
  Block* target = lookup_or_translate(cpu.eip, current_mode());
  // Counting runs never chain: every block returns here to count time.
  if (target && chainable && !count_blocks_ && generation == flush_generation_ && target->valid) {
    cache_.chain(*link, *target);
    ++stats.chained_jumps;
  }
  return target;
}

void Engine::flush_translations() {
  cache_.flush();
  ++flush_generation_;
  ++stats.tc_flushes;
  reset_indirect_tables();
}

void Engine::forget_guest_memory() {
  cache_.flush();
  ++flush_generation_;
  reset_indirect_tables();
  aspace_.flush_all();
  descriptors_.forget_all();
}

RunOutcome Engine::run(const RunLimits& limits) {
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
    if (waker_) {  // no wake-ups while another backend runs the guest
      waker_->pause();
      waker_->rearm_input(-1);
    }
    return RunOutcome{status, std::move(message)};
  };
  state_changed();
  set_eflags(cpu.eflags);
  paging_changed();
  cpu.poll_page = reinterpret_cast<uint64_t>(cache_.poll_page());
  if (platform_.clock && !platform_.virtual_clock && !waker_)
    waker_ = std::make_unique<TimerWaker>(*platform_.clock, [this] { request_service(); });

  Block* next = nullptr;
  for (;;) {
    // A one-instruction block lives in the garbage list until it has run.
    bool single = next && (next->key.mode & mode::kSingle);
    bool next_ok = next && (single || next->valid);
    if (!single) cache_.collect_garbage();
    if (!next_ok) next = nullptr;
    if (control.exit_status) return finish(*control.exit_status, control.reason);
    if (death_) return finish(exit_status::kGuestDied, *death_ + "\n" + dump_state(cpu));
    if (timed_out_) return finish(exit_status::kTimeout, fmt::format("timeout after {} s", timeout_seconds));
    // Whoever revoked the poll page (watchdog, waker, helper) set a flag
    // first; a stop at the page also proves it. Both orders of the other
    // thread's "flag, revoke" against this "clear, restore" end with the page
    // readable or with one more stop, never with a page that stays revoked.
    if (stop_requested_.exchange(false) | service_requested_.exchange(false) | std::exchange(safepoint_hit_, false))
      mprotect(cache_.poll_page(), CodeCache::kPage, PROT_READ);
    if (platform_.quit_requested && platform_.quit_requested()) return finish(0, "quit (Ctrl-A x)");
    if (std::exchange(breakpoints_stale_, false)) {
      flush_translations();
      next = nullptr;
    }
    service_devices();
    if (pending_) {
      PendingException e = *pending_;
      pending_.reset();
      next = nullptr;
      if (!deliver(e)) continue;  // death_ is set
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
      if (!platform_.interrupts)
        return finish(exit_status::kHalted,
                      fmt::format("guest halted at EIP={:#010x} and no device can interrupt it", cpu.eip));
      wait_while_halted();
      continue;
    }
    if (!cpu.protected_mode())
      return finish(exit_status::kGuestDied, "real mode is not supported yet\n" + dump_state(cpu));
    uint32_t mode = current_mode();
    // EFLAGS.TF: one uncached instruction at a time, then #DB (a trap). A
    // bounce block is one instruction already.
    const bool stepping = cpu.eflags & eflags::kTF;
    // EFLAGS.RF (an iret from a debug handler): the next instruction runs
    // alone, without its instruction breakpoint, and RF clears once it
    // completed.
    const bool resuming = cpu.eflags & eflags::kRF;
    const bool one = stepping || resuming || std::exchange(sti_shadow_, false);
    if (one && !(next && (next->key.mode & mode::kBounce))) next = lookup_or_translate(cpu.eip, mode | mode::kSingle);
    if (!next) next = lookup_or_translate(cpu.eip, mode);
    if (!next) continue;  // a fetch fault is pending
    cpu.window_base = reinterpret_cast<uint64_t>(aspace_.base(user_mode()));
    cpu.indirect_table = reinterpret_cast<uint64_t>(indirect_table(mode).entries.data());
    refresh_host_ac();
    refresh_irq_pending();
    end_hidden_interval();
    stubs_.enter(&cpu, next->host);
    if (count_blocks_) instructions_run_ += next->instructions;
    if (platform_.virtual_clock) platform_.virtual_clock->advance(next->instructions * kVirtualNsPerInstruction);
    // A host fault leaves its instruction undone (a stop, an exception, or
    // a retry as a bounce block): no trap for it yet.
    const bool completed = cpu.exit_info != exit_tag::kHostFault;
    next = after_exit();
    forget_invalidated();
    if (resuming && completed && !pending_) cpu.eflags &= ~eflags::kRF;
    if (stepping && completed && !pending_ && !death_ && !control.exit_status) {
      cpu.dr[6] |= 1u << 14;  // DR6.BS
      raise(1);
      next = nullptr;
    }
  }
}

// ---- the public facade ----------------------------------------------------

BtCpu::BtCpu(GuestContext context) : engine_(std::make_unique<Engine>(context)) {}
BtCpu::~BtCpu() = default;
RunOutcome BtCpu::run(double timeout_seconds) { return engine_->run(RunLimits{timeout_seconds}); }
RunOutcome BtCpu::run(const RunLimits& limits) { return engine_->run(limits); }
void BtCpu::forget_guest_memory() { engine_->forget_guest_memory(); }
uint64_t BtCpu::instructions_run() const { return engine_->instructions_run(); }
const Stats& BtCpu::stats() const { return engine_->stats; }

}  // namespace bt86

extern "C" int bt86_helper_entry(bt86::CpuState*, const void* site) {
  return bt86::current_engine()->run_helper(*static_cast<const bt86::HelperSite*>(site));
}
