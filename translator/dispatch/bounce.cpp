#include "dispatch/bounce.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace bt86 {

bool Bounce::redirect(uint32_t linear, unsigned size, bool read, bool write) {
  CpuFrame& frame = context_.frame;
  // A write's commit follows its redirect with no other access between;
  // whatever an abandoned instruction left is stale.
  pending_write_.reset();
  const bool user = context_.cpu.cpl() == 3;
  // Every page first, for the access it is (a read-modify-write checks for
  // writing), so a #PF comes before any device sees a read.
  bool plain = uint64_t{linear} + size <= (uint64_t{1} << 32);  // no wrap
  uint64_t first_phys = 0;
  for (unsigned done = 0; done < size;) {
    uint32_t a = linear + done;
    Walk w = aspace_.translate(a, write ? Access::kWrite : Access::kRead, user);
    if (!w.ok) return context_.raise_pf(a, w.error_code);
    if (!done) first_phys = w.phys;
    // A write to translated code goes through write_linear, which drops it.
    if (!aspace_.is_ram(w.phys) || (write && aspace_.is_code(static_cast<uint32_t>(w.phys))) || aspace_.watched(a))
      plain = false;
    done += std::min(size - done, 4096 - (a & 0xFFFu));
  }
  would_fault_ = true;
  if (plain) {
    frame.access_address = linear;
    if ((linear & 0xFFFu) + size > 4096) return true;  // two pages: their host faults map them
    if (aspace_.mapped_page(linear, write, user) == (first_phys & ~uint64_t{0xFFF})) {
      would_fault_ = false;
      return true;
    }
    // A page whose mapping churns stays unmapped: reach its bytes in RAM.
    if (uint8_t* page = aspace_.churning(linear) ? aspace_.direct_page(first_phys, write) : nullptr) {
      frame.access_address = reinterpret_cast<uintptr_t>(page + (linear & 0xFFFu)) - frame.window_base;
      return true;
    }
    aspace_.fill(linear, write, user);  // what the access's host fault would do
    return true;
  }
  if (size > kSlot - 64)
    return context_.SystemContext::die(
        fmt::format("unsupported: a {}-byte access outside RAM at EIP={:#010x}", size, context_.cpu.eip));
  uint8_t* data = scratch_[next_slot_ ^= 1] + (linear & 63);
  std::memset(data, 0, size);
  if (read && !context_.read_linear(linear, data, size)) return false;
  if (write) pending_write_ = PendingWrite{linear, size, data};
  frame.access_address = reinterpret_cast<uintptr_t>(data) - frame.window_base;
  return true;
}

bool Bounce::commit() {
  if (!pending_write_) return true;  // the access was plain RAM
  PendingWrite w = *pending_write_;
  pending_write_.reset();
  // The redirect walked these pages for writing, so this cannot fault.
  return context_.write_linear(w.linear, w.data, w.size);
}

}  // namespace bt86
