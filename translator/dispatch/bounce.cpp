// Bounce blocks: the instruction whose host access faulted because its
// guest bytes are not plain RAM in the shadow window runs again, alone, in
// a block whose every memory access first asks the engine where to go
// (emit_bounce.cpp). Plain RAM is accessed in the window as usual; anything
// else (a device, physical memory nobody backs, which reads as all ones and
// drops writes like a PC's open bus, a page holding translated code being
// written, an access that wraps around 4 GiB) in a scratch buffer that the
// engine fills through its C++ accessors before a read and writes back
// after the store. So every instruction form, ident or expanded, runs
// natively with its own flags on exactly the bytes the CPU would touch.
#include <cstring>

#include <fmt/format.h>

#include "dispatch/engine.h"
#include "runtime/helpers.h"
#include "dispatch/host_faults.h"

namespace bt86 {

Block* Engine::bounce(const Block& faulting) {
  if (faulting.key.mode & mode::kBounce) {
    // Its accesses were all redirected: this cannot be the device again.
    die(fmt::format("internal error: a bounce block faulted at EIP={:#010x}", cpu.eip));
    return nullptr;
  }
  return lookup_or_translate(cpu.eip, current_mode() | mode::kBounce);
}

int Engine::run_access(const HelperSite& site) {
  cpu.eip = site.insn.eip;
  if (!site.exits) site.exits = &exit_counts_[site.cause];
  ++*site.exits;
  if (site.fn(*this, site) == HelperResult::kContinue) {
    // A device access may have raised a line or ended the run: stop at the
    // next iteration boundary (a rep loop's poll) or after the instruction.
    refresh_irq_pending();
    if (interrupt_deliverable() || control.exit_status) request_service();
    return 0;
  }
  frame_.exit_info = reinterpret_cast<uint64_t>(&site) | exit_tag::kHelper;
  return 1;
}

HelperResult Engine::redirect_access(uint32_t linear, unsigned size, bool read, bool write) {
  // A write's commit follows its redirect with no other access between;
  // whatever an abandoned instruction left is stale.
  pending_write_.reset();
  const bool user = user_mode();
  // Every page first, for the access it is (a read-modify-write checks for
  // writing), so a #PF comes before any device sees a read.
  bool plain = uint64_t{linear} + size <= (uint64_t{1} << 32);  // no wrap
  for (unsigned done = 0; done < size;) {
    uint32_t a = linear + done;
    Walk w = aspace_.translate(a, write ? Access::kWrite : Access::kRead, user);
    if (!w.ok) {
      return raise_pf(a, w.error_code);
    }
    // A write to translated code goes through write_linear, which drops it.
    if (!aspace_.is_ram(w.phys) || (write && aspace_.is_code(static_cast<uint32_t>(w.phys)))) plain = false;
    done += std::min(size - done, 4096 - (a & 0xFFFu));
  }
  if (plain) {
    frame_.access_address = linear;
    return HelperResult::kContinue;
  }
  if (size > kAccessSlot - 64)
    return die(fmt::format("unsupported: a {}-byte access outside RAM at EIP={:#010x}", size, cpu.eip));
  uint8_t* data = access_scratch_[next_slot_ ^= 1] + (linear & 63);
  std::memset(data, 0, size);
  if (read && !read_linear(linear, data, size)) return HelperResult::kExit;
  if (write) pending_write_ = PendingWrite{linear, size, data};
  frame_.access_address = reinterpret_cast<uintptr_t>(data) - frame_.window_base;
  return HelperResult::kContinue;
}

HelperResult Engine::commit_access() {
  if (!pending_write_) return HelperResult::kContinue;  // the access was plain RAM
  PendingWrite w = *pending_write_;
  pending_write_.reset();
  // The redirect walked these pages for writing, so this cannot fault.
  return write_linear(w.linear, w.data, w.size) ? HelperResult::kContinue : HelperResult::kExit;
}

HelperResult helper_access_redirect(Engine& e, const HelperSite& s) {
  return e.redirect_access(static_cast<uint32_t>(e.frame().access_address), s.arg & 0xFFFF, s.arg & (1u << 16),
                           s.arg & (1u << 17));
}

HelperResult helper_access_commit(Engine& e, const HelperSite&) { return e.commit_access(); }

}  // namespace bt86

extern "C" int bt86_access_entry(bt86::CpuFrame*, const void* site) {
  return bt86::current_engine()->run_access(*static_cast<const bt86::HelperSite*>(site));
}
