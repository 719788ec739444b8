// The exits of translated code that are not host faults: a direct exit
// (chained to its target the first time), an indirect-branch miss (the
// lookup cache filled), a C++ helper, and a step of a bounce block's access.
#include <fmt/format.h>

#include "bt86/segmentation/interrupt_delivery.h"
#include "dispatch/engine.h"
#include "dispatch/host_faults.h"
#include "runtime/helpers.h"

namespace bt86 {

int Engine::run_helper(const HelperSite& site) {
  cpu.eip = site.insn.eip;
  if (!site.exits) site.exits = &exit_counts_[site.cause];
  ++*site.exits;
  trace_exit(site.cause);
  context_.site = &site;
  HelperResult r = site.fn(context_, site);
  context_.site = nullptr;  // the block holding it may go
  if (pf_retry_ && site.fn == helper_iret) map_retried_access();
  if (!cache_.last_invalidated().empty()) {
    // A helper wrote guest code: if that was the block running now, do not
    // return into it.
    forget_invalidated();
    if (r == HelperResult::kContinue) {
      cpu.eip = site.insn.next_eip();
      r = HelperResult::kExit;
    }
  }
  if (r == HelperResult::kContinue) {
    // A helper may have raised or unmasked a line (for the inline sti), or
    // set IF: the interrupt is taken after its instruction. (Any other
    // interrupt waits for the next safepoint, as it would have.) Leaving,
    // the continuation or the run loop looks again anyway.
    if (!may_change_interrupts(site.fn)) return 0;
    refresh_irq_pending();
    if (!context_.interrupt_deliverable(frame_.irq_pending != 0)) return 0;
    // Leave after this instruction, and for sti after the next one, which
    // its interrupt shadow covers (run alone, so that whatever follows it in
    // the block waits).
    if (site.fn == helper_sti) sti_shadow_ = true;
    cpu.eip = site.insn.next_eip(), r = HelperResult::kExit;
  }
  if (const uint8_t* next = continuation()) {
    frame_.continue_at = reinterpret_cast<uint64_t>(next);
    return kThunkContinueAt;
  }
  frame_.exit_info = reinterpret_cast<uint64_t>(&site) | exit_tag::kHelper;
  return 1;
}

// A helper that moved EIP or changed the mode (int, iret, far transfers,
// segment and control-register loads) goes on in the next block without
// the run loop when the run loop has nothing else to do: no stop or
// service asked for, no interrupt due, no instruction counting, nothing to
// run alone (single step, RF, sti's shadow), no stale breakpoints, and the
// block translated already. Measured reason: leaving and re-entering
// translated code through the run loop was most of an int 0x80 round trip.
const uint8_t* Engine::continuation() {
  if (count_blocks_ || hide_from_ || timed_out_ || safepoint_hit_ || requests_.stop || requests_.service) return nullptr;
  if (context_.death() || control_.exit_status || sti_shadow_ || breakpoints_.stale()) return nullptr;
  if (debug_.stepping() || debug_.stop_due()) return nullptr;
  // TF and RF make the next instruction run alone (run loop).
  if (cpu.eflags & (eflags::kTF | eflags::kRF)) return nullptr;
  // The event the helper raised (int n, a fault) is delivered here as the
  // run loop would first thing.
  if (std::optional<Event> e = context_.take_pending())
    if (!deliver_event(context_, *e)) return nullptr;  // the guest is dead: the run loop ends the run
  if (context_.pending() || cpu.halted || !cpu.protected_mode()) return nullptr;
  // One question to the interrupt controllers serves both the check and
  // translated code's mirror (each costs a scan of their request registers).
  refresh_irq_pending();
  if (context_.interrupt_deliverable(frame_.irq_pending != 0)) return nullptr;
  if (cpu.seg[kCs].base != lookup_cs_base_) return nullptr;  // the indirect tables must be emptied first
  // The guest may have armed a timer meanwhile (a TSC deadline, the PIT):
  // the waker must know it, as the run loop would tell it. (Without this,
  // Linux's jiffies lost ~30 % of their ticks behind continued int/iret.)
  if (waker_ && platform_.events) waker_->set_deadline(devices_.next_deadline().value_or(UINT64_MAX));
  const uint32_t mode = current_mode();
  const IndirectEntry* table = lookup_.table(mode);
  // The indirect-branch table first, as translated code's own indirect
  // jumps (with the same guarantees: its entries go with a TLB flush, an
  // invlpg of their page, a change of CS.base, or their block): no walk, no
  // block search.
  const uint8_t* next = lookup_.hit(table, cpu.eip);
  if (!next) {
    const Walk w = aspace_.translate(code_linear(cpu.eip), Access::kFetch, user_mode());
    if (!w.ok || !aspace_.reads_ram(w.phys)) return nullptr;
    const Block* b = cache_.find({static_cast<uint32_t>(w.phys), cpu.eip, mode});
    if (!b || !b->valid) return nullptr;
    lookup_.remember(mode, cpu.eip, b->host, w.global);
    next = b->host;
  }
  frame_.window_base = reinterpret_cast<uint64_t>(aspace_.base(user_mode()));
  frame_.indirect_table = reinterpret_cast<uint64_t>(table);
  context_.refresh_host_ac();
  ++stats.helper_continuations;
  return next;
}

Block* Engine::after_exit() {
  uint64_t info = frame_.exit_info;
  if (info == exit_tag::kIndirectMiss) {
    ++indirect_miss_exits_;
    trace_exit("indirect_miss");
    uint32_t mode = current_mode();
    Block* b = lookup_or_translate(cpu.eip, mode);
    // Not a one-instruction block (code outside RAM, a fetch fault): it is
    // freed at the next safe point, and its code must be fetched anew.
    if (b && b->valid && !count_blocks_) lookup_.remember(mode, cpu.eip, b->host, last_fetch_global_);
    return b;
  }
  if (info == exit_tag::kHostFault) return handle_host_fault();
  if (info & exit_tag::kHelper) return nullptr;  // the helper left cpu.eip where to go on

  auto* link = reinterpret_cast<ExitLink*>(info);
  ++block_link_exits_;
  trace_exit("block_link");
  uint64_t generation = flush_generation_;
  // A bounce block always comes back here: what its accesses wrote may
  // have replaced translated code (see Bounce::commit).
  bool chainable = link->owner->valid && !(link->owner->key.mode & mode::kBounce);
  Block* target = lookup_or_translate(cpu.eip, current_mode());
  // Counting runs never chain: every block returns here to count time.
  if (target && chainable && !count_blocks_ && generation == flush_generation_ && target->valid) {
    cache_.chain(*link, *target);
    ++stats.chained_jumps;
  }
  return target;
}

int Engine::run_access(const HelperSite& site) {
  cpu.eip = site.insn.eip;
  if (!site.exits) site.exits = &exit_counts_[site.cause];
  ++*site.exits;
  trace_exit(site.cause);
  const uint32_t arg = site.arg;
  const bool done = arg == access_step::kCommit
                        ? bounce_.commit()
                        : bounce_.redirect(static_cast<uint32_t>(frame_.access_address), access_step::size(arg),
                                           access_step::reads(arg), access_step::writes(arg));
  // An adaptive instruction whose accesses now hit the window goes back to
  // plain translation (its block goes on to its end; it is not run again).
  if (done && site.adaptive_key && arg != access_step::kCommit &&
      adaptive_.note_access(site.adaptive_key, bounce_.would_fault())) {
    ++stats.shadow["adaptive_demotions"];
    cache_.invalidate_holding(AdaptiveSites::phys_of(site.adaptive_key));
    forget_invalidated();
  }
  if (done) {
    // A device access may have raised a line or ended the run: stop at the
    // next iteration boundary (a rep loop's poll) or after the instruction.
    refresh_irq_pending();
    if (context_.interrupt_deliverable() || control_.exit_status) request_service();
    return 0;
  }
  frame_.exit_info = reinterpret_cast<uint64_t>(&site) | exit_tag::kHelper;
  return 1;
}

Block* Engine::bounce(const Block& faulting) {
  if (faulting.key.mode & mode::kBounce) {
    // Its accesses were all redirected: this cannot be the device again.
    context_.die(fmt::format("internal error: a bounce block faulted at EIP={:#010x}", cpu.eip));
    return nullptr;
  }
  return lookup_or_translate(cpu.eip, current_mode() | mode::kBounce);
}

}  // namespace bt86

extern "C" int bt86_helper_entry(bt86::CpuFrame*, const void* site) {
  return bt86::current_engine()->run_helper(*static_cast<const bt86::HelperSite*>(site));
}

extern "C" int bt86_access_entry(bt86::CpuFrame*, const void* site) {
  return bt86::current_engine()->run_access(*static_cast<const bt86::HelperSite*>(site));
}
