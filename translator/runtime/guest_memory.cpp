#include "runtime/guest_memory.h"

#include <cstring>
#include <stdexcept>

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

std::optional<PageFault> GuestMemory::access(uint32_t linear, void* buf, unsigned size, bool write, bool user) {
  if (size > 4096) throw std::logic_error("guest access larger than a page");
  // The stack pushes and pops of every int and iret come here.
  if (uint8_t* host = direct(linear, size, write, user)) {
    if (write) std::memcpy(host, buf, size);
    else std::memcpy(buf, host, size);
    return std::nullopt;
  }
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
    if (!w.ok) return PageFault{a, w.error_code};
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
        if (write) std::memcpy(&v, data + off, n), mmio_.write(piece.phys + off, n, v);
        else v = mmio_.read(piece.phys + off, n), std::memcpy(data + off, &v, n);
      });
      continue;
    }
    // SAFETY: is_ram checked the page; a piece never crosses a page.
    if (!write) {
      std::memcpy(data, ram_.host(piece.phys), piece.len);
      continue;
    }
    auto page = static_cast<uint32_t>(piece.phys);
    if (aspace_.is_code(page)) invalidate_code(page);
    aspace_.note_write(page);
    std::memcpy(ram_.host(piece.phys), data, piece.len);
  }
  return std::nullopt;
}

// Within a page the current context maps for this access (plain RAM, not
// code, not a traced table): what a TLB hit gives, with no walk.
uint8_t* GuestMemory::direct(uint32_t linear, unsigned size, bool write, bool user) {
  if ((linear & 0xFFF) + size > 4096) return nullptr;
  const uint64_t page = aspace_.mapped_page(linear, write, user);
  // SAFETY: a mapped page is RAM, and the access stays in it.
  return page == AddressSpace::kNotMapped ? nullptr : ram_.host(page + (linear & 0xFFF));
}

std::optional<PageFault> GuestMemory::read_table_entry(uint32_t linear, Descriptor& out) {
  if (descriptors_.find(linear, out)) return std::nullopt;
  if (auto fault = read(linear, &out, sizeof out, false)) return fault;
  // The walk just succeeded, so this is what a TLB would now hold.
  Walk w = aspace_.translate(linear, Access::kRead, false);
  // SAFETY: both ends of the entry are RAM (remember() refuses entries that
  // cross a page), which stays mapped at ram.host for the whole run.
  if (w.ok && aspace_.is_ram(w.phys) && aspace_.is_ram(w.phys + sizeof out - 1))
    descriptors_.remember(linear, ram_.host(w.phys));
  return std::nullopt;
}

size_t GuestMemory::peek(uint32_t linear, std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); ++i) {
    Walk w = aspace_.translate(linear + static_cast<uint32_t>(i), Access::kRead, false);
    if (!w.ok || !aspace_.is_ram(w.phys)) return i;
    out[i] = *ram_.host(w.phys);
  }
  return out.size();
}

std::optional<PageFault> GuestMemory::fetch_fault(uint32_t linear, bool user) {
  Walk w = aspace_.translate(linear, Access::kFetch, user);
  if (w.ok) return std::nullopt;  // mapped meanwhile
  return PageFault{linear, w.error_code};
}

void GuestMemory::invalidate_code(uint32_t phys) {
  cache_.invalidate_page(phys);
  aspace_.unprotect_code(phys);
}

bool GuestMemory::physical_written(uint64_t phys, uint64_t len) {
  bool code = false;
  for (uint64_t page = phys & ~uint64_t{0xFFF}; page < phys + len && page <= 0xFFFFFFFF; page += 4096) {
    const auto p = static_cast<uint32_t>(page);
    if (aspace_.is_code(p)) invalidate_code(p), code = true;
    aspace_.note_write(p);
  }
  return code;
}

void GuestMemory::set_paging(const PagingMode& mode, bool cr3_written) {
  PagingMode before = aspace_.mode();
  aspace_.set_mode(mode, cr3_written);  // the shadow of the new CR3, kept coherent by tracing
  descriptors_.forget_all();            // a TLB flush, or a new translation
  const PagingMode& after = aspace_.mode();
  if (before.cr0 != after.cr0 || before.cr4 != after.cr4 || before.efer != after.efer) lookup_.reset();
  else if (cr3_written || before.cr3 != after.cr3) lookup_.reset(/*keep_global=*/true);
}

void GuestMemory::invlpg(uint32_t linear, uint32_t code_base) {
  aspace_.flush_page(linear);
  descriptors_.forget_all();
  lookup_.forget_page(linear, code_base);
}

void GuestMemory::forget_all() {
  lookup_.reset();
  aspace_.flush_all();
  descriptors_.forget_all();
}

}  // namespace bt86
