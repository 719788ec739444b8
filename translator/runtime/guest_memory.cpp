// Guest memory seen from C++ helpers, by linear address, through the guest
// page tables: RAM, else the MMIO bus (which answers all ones where no
// device is: open bus). An access past 0xFFFFFFFF wraps around to 0, each
// part translated on its own, as the CPU does. Writes to RAM that holds
// translated code invalidate it.
#include <cstring>
#include <stdexcept>

#include "dispatch/engine.h"

namespace bt86 {

namespace {
// A piece of an access on a device page goes to the bus in accesses of at
// most 4 bytes each, in order (an 8-byte or a 512-byte operand, a piece
// of an access split at a page or at the 4 GiB wrap).
template <typename Fn>
void in_device_chunks(unsigned size, Fn fn) {
  for (unsigned off = 0; off < size;) {
    unsigned n = size - off >= 4 ? 4 : size - off >= 2 ? 2 : 1;
    fn(off, n);
    off += n;
  }
}
}  // namespace

bool Engine::access_linear(uint32_t linear, void* buf, unsigned size, bool write, Privilege p) {
  if (size > 4096) throw std::logic_error("guest access larger than a page");
  const bool user = p == Privilege::kCurrent && user_mode();
  const Access access = write ? Access::kWrite : Access::kRead;
  // Translate every page first, so a fault leaves nothing half done.
  struct Piece {
    uint64_t phys;
    unsigned offset, len;
  };
  Piece pieces[2];
  unsigned count = 0;
  for (unsigned done = 0; done < size; ++count) {
    uint32_t a = linear + done;
    unsigned len = std::min(size - done, 4096 - (a & 0xFFF));
    Walk w = aspace_.translate(a, access, user);
    if (!w.ok) {
      raise_pf(a, w.error_code);
      return false;
    }
    pieces[count] = {w.phys, done, len};
    done += len;
  }
  auto* bytes = static_cast<uint8_t*>(buf);
  for (unsigned i = 0; i < count; ++i) {
    const Piece& piece = pieces[i];
    uint8_t* data = bytes + piece.offset;
    if (!aspace_.is_ram(piece.phys)) {
      in_device_chunks(piece.len, [&](unsigned off, unsigned n) {
        uint32_t v = 0;
        if (write) std::memcpy(&v, data + off, n), mmio.write(piece.phys + off, n, v);
        else v = mmio.read(piece.phys + off, n), std::memcpy(data + off, &v, n);
      });
      continue;
    }
    // SAFETY: is_ram checked the page; a piece never crosses a page.
    if (!write) {
      std::memcpy(data, ram.host(piece.phys), piece.len);
      continue;
    }
    auto page = static_cast<uint32_t>(piece.phys);
    if (aspace_.is_code(page)) invalidate_code(page);
    aspace_.note_write(page);
    std::memcpy(ram.host(piece.phys), data, piece.len);
  }
  return true;
}

bool Engine::read_linear(uint32_t linear, void* dst, unsigned size, Privilege p) {
  return access_linear(linear, dst, size, false, p);
}

bool Engine::write_linear(uint32_t linear, const void* src, unsigned size, Privilege p) {
  return access_linear(linear, const_cast<void*>(src), size, true, p);
}

bool Engine::read_table_entry(uint32_t linear, Descriptor& out) {
  if (descriptors_.find(linear, out)) return true;
  if (!read_linear(linear, &out, sizeof out, Privilege::kSupervisor)) return false;
  // The walk just succeeded, so this is what a TLB would now hold.
  Walk w = aspace_.translate(linear, Access::kRead, false);
  // SAFETY: both ends of the entry are RAM (remember() refuses entries that
  // cross a page), which stays mapped at ram.host for the whole run.
  if (w.ok && aspace_.is_ram(w.phys) && aspace_.is_ram(w.phys + sizeof out - 1))
    descriptors_.remember(linear, ram.host(w.phys));
  return true;
}

HelperResult Engine::fetch_fault(uint32_t linear) {
  Walk w = aspace_.translate(linear, Access::kFetch, user_mode());
  if (w.ok) return HelperResult::kExit;  // mapped meanwhile: run the instruction again
  return raise_pf(linear, w.error_code);
}

}  // namespace bt86
