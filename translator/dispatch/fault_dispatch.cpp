// What a host fault in translated code means for the guest: a safepoint
// stop, a write to translated code, an access to memory that is not plain
// RAM in the window (see bounce.h), or a guest exception.
#include <signal.h>

#include <fmt/format.h>

#include "bt86/shadow/host_fault.h"
#include "dispatch/engine.h"

namespace bt86 {

Block* Engine::handle_host_fault() {
  const HostFault f = fault_;
  Block* block = cache_.find_by_host(reinterpret_cast<const uint8_t*>(f.pc));
  const SideEntry* entry = block ? block->entry_for(reinterpret_cast<const uint8_t*>(f.pc)) : nullptr;
  if (!entry) {
    context_.die(fmt::format("internal error: fault at host {:#x} maps to no guest instruction", f.pc));
    return nullptr;
  }
  cpu.eip = entry->guest_eip;
  if (entry->spill_reg >= 0) cpu.gpr[entry->spill_reg] = static_cast<uint32_t>(frame_.spill);

  if (f.signo == SIGSEGV && f.addr >= reinterpret_cast<uintptr_t>(cache_.poll_page()) &&
      f.addr < reinterpret_cast<uintptr_t>(cache_.poll_page()) + CodeCache::kPage) {
    ++stats.host_faults["safepoint"];
    safepoint_hit_ = true;
    return nullptr;
  }
  if (f.signo == SIGFPE) {
    if (f.code == FPE_INTDIV || f.code == FPE_INTOVF) {
      ++stats.host_faults["divide_error"];
      context_.raise(Vector::kDE);  // #DE
      return nullptr;
    }
    // An unmasked floating-point exception: SSE reports #XM at the faulting
    // instruction (#UD without CR4.OSXMMEXCPT); a pending x87 one is #MF at
    // the next waiting x87 or MMX instruction, which is where the host
    // stopped too. The host CPU's vector says which it was.
    ++stats.host_faults["fp_exception"];
    if (f.trapno == number(Vector::kMF)) context_.raise(Vector::kMF);
    else context_.raise(cpu.cr4 & cr4::kOSXMMEXCPT ? Vector::kXM : Vector::kUD);
    return nullptr;
  }
  if (f.signo == SIGBUS && f.code == BUS_ADRALN) {
    // Host RFLAGS.AC was set for this guest code (CR0.AM, EFLAGS.AC, CPL 3):
    // the host CPU found the misaligned access itself.
    ++stats.host_faults["alignment_check"];
    context_.raise(Vector::kAC, 0u);  // #AC(0)
    return nullptr;
  }
  if (f.signo == SIGILL) {
    ++stats.host_faults["invalid_opcode"];
    context_.raise(Vector::kUD);
    return nullptr;
  }
  if (f.signo == SIGSEGV && f.code == SI_KERNEL) {
    // A general-protection fault of an instruction run natively (one the
    // host refuses at ring 3 that we did not know to emulate): the guest
    // sees #GP(0) at it, as a CPU refusing it would deliver.
    ++stats.host_faults["host_gp"];
    context_.raise(Vector::kGP, 0u);
    return nullptr;
  }
  const WindowFault w = resolve_window_fault(aspace_, f.addr, f.write);
  switch (w.kind) {
    case WindowFault::Kind::kOutside:
      context_.die(
          fmt::format("internal error: host fault (signal {}) at {:#x} outside the guest window", f.signo, f.addr));
      return nullptr;
    case WindowFault::Kind::kGuard:
      ++stats.host_faults["wraparound"];
      return bounce(*block);
    case WindowFault::Kind::kFilled:  // resolved meanwhile: run the instruction again
      if (w.fill.table_write) ++table_writes_;
      if (aspace_.churning(w.linear)) note_hot_fault(*block);
      return nullptr;
    case WindowFault::Kind::kGuestFault:
      break;
  }
  switch (w.fill.outcome) {
    case AddressSpace::Outcome::kPageFault:
      ++stats.host_faults["guest_page_fault"];
      // Only on a page whose mapping churns: a guest's demand paging faults
      // at one instruction for many pages, each once (a copy loop).
      if (aspace_.churning(w.linear)) note_hot_fault(*block);
      pf_retry_ = PageFaultRetry{w.linear, cpu.eip, cpu.cr3, cpu.seg[kCs].selector, f.write, user_mode()};
      context_.raise_pf(w.linear, w.fill.error_code);
      return nullptr;
    case AddressSpace::Outcome::kCodeWrite:
      ++stats.host_faults["code_write"];
      note_hot_fault(*block);
      return handle_code_write(static_cast<uint32_t>(w.fill.phys));
    case AddressSpace::Outcome::kMmio:
      ++stats.host_faults["mmio"];
      note_hot_fault(*block);
      return bounce(*block);
    case AddressSpace::Outcome::kWatched:  // a debugger's watchpoint: each access is checked
      ++stats.host_faults["watched"];
      return bounce(*block);
    case AddressSpace::Outcome::kMapped:
      break;
  }
  return nullptr;
}

// After an iret: if it went back to the instruction whose access took the
// last #PF, in the same address space, map that access's page now when the
// handler made it present (a fill does what the retried access's host fault
// would; one that finds it still not present changes nothing).
void Engine::map_retried_access() {
  const PageFaultRetry r = *pf_retry_;
  pf_retry_.reset();
  if (cpu.eip != r.eip || cpu.seg[kCs].selector != r.cs || cpu.cr3 != r.cr3 || user_mode() != r.user) return;
  if (aspace_.fill(r.linear, r.write, r.user).outcome == AddressSpace::Outcome::kMapped)
    ++stats.shadow["page_fault_retries_mapped"];
}

bool Engine::try_hidden_fault(uintptr_t host_addr, bool write) {
  const WindowFault w = resolve_window_fault(aspace_, host_addr, write);
  // A churning page's fault goes the long way, to count against its instruction.
  if (w.kind != WindowFault::Kind::kFilled || aspace_.churning(w.linear)) return false;
  ++(w.fill.table_write ? table_writes_ : w.fill.dirty_upgrade ? dirty_upgrades_ : hidden_fills_);
  return true;
}

// The instruction at cpu.eip in `block` took a host fault that running it
// natively cannot avoid (adaptive_sites.h): often enough, and its block is
// dropped, to be translated again with the instruction's accesses redirected.
void Engine::note_hot_fault(Block& block) {
  if (block.key.mode & mode::kBounce) return;
  const uint32_t phys = block.key.phys + (cpu.eip - block.guest_eip);  // a block stays in its first page
  if (!adaptive_.note_fault(AdaptiveSites::key(phys, block.key.mode))) return;
  ++stats.shadow["adaptive_promotions"];
  cache_.invalidate(block);
  forget_invalidated();
}

// A guest store hit a page holding translations: drop them, let the store
// happen through a one-instruction block (which does not protect its page),
// and protect the page again when a block from it is translated next.
Block* Engine::handle_code_write(uint32_t phys) {
  memory_.invalidate_code(phys);
  forget_invalidated();
  return lookup_or_translate(cpu.eip, current_mode() | mode::kSingle);
}

}  // namespace bt86
