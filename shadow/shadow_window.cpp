#include "bt86/shadow/shadow_window.h"

#include <sys/mman.h>

#include <cerrno>
#include <system_error>

namespace bt86 {

namespace {
constexpr uint64_t kTotal = ShadowWindow::kGuard + ShadowWindow::kSpan + ShadowWindow::kGuard;

void check(bool ok, const char* what) {
  if (!ok) throw std::system_error(errno, std::generic_category(), what);
}
}  // namespace

ShadowWindow::ShadowWindow(const GuestRam& ram) : ram_(ram) {
  void* p = mmap(nullptr, kTotal, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  check(p != MAP_FAILED, "reserve shadow window");
  reservation_ = static_cast<uint8_t*>(p);
  base_ = reservation_ + kGuard;
}

ShadowWindow::~ShadowWindow() { munmap(reservation_, kTotal); }

ShadowWindow::Region ShadowWindow::classify(uintptr_t a) const {
  auto r = reinterpret_cast<uintptr_t>(reservation_);
  auto b = reinterpret_cast<uintptr_t>(base_);
  if (a < r || a >= b + kSpan + kGuard) return Region::kOutside;
  if (a < b) return Region::kGuardBelow;
  if (a < b + kSpan) return Region::kWindow;
  return Region::kGuardAbove;
}

void ShadowWindow::map_run(uint32_t linear_page, uint32_t phys_page, uint32_t pages, bool writable) {
  const int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
  Mapping* same = pages == 1 ? slot(linear_page) : nullptr;
  if (same && (same->parked || same->present) && same->phys_page == phys_page) {
    // The host mapping of that very page is still there: open it again, or
    // give it the protection asked for.
    if (same->parked || same->writable != writable)
      check(mprotect(base_ + linear_page, kPage, prot) == 0, "map a shadow page again");
    mapped_pages_ += same->parked;
    parked_pages_ -= same->parked;
    *same = {phys_page, writable, true, false};
    return;
  }
  // SAFETY: the run lies inside the window (it ends at or below 4 GiB) and
  // its pages are RAM (the caller checked each against the memfd's size).
  void* p = mmap(base_ + linear_page, size_t{pages} * kPage, prot, MAP_SHARED | MAP_FIXED | MAP_POPULATE, ram_.fd(),
                 static_cast<off_t>(phys_page));
  check(p != MAP_FAILED, "map guest pages into shadow window");
  const uint64_t last = linear_page + uint64_t{pages} * kPage;  // the first page past the run
  const size_t before = gaps_starting(linear_page, last);
  for (uint32_t i = 0; i < pages; ++i) {
    Mapping& m = make_slot(linear_page + i * 0x1000);
    if (!m.present && !m.parked) ++chunks_[(linear_page + i * 0x1000) >> 22]->occupied;
    mapped_pages_ += !m.present;
    parked_pages_ -= m.parked;
    m = {phys_page + i * 0x1000, writable, true, false};
  }
  gaps_ = gaps_ - before + gaps_starting(linear_page, last);
}

size_t ShadowWindow::gaps_starting(uint64_t from, uint64_t to) const {
  size_t n = 0;
  for (uint64_t page = from; page <= to && page < kSpan;) {
    n += !occupied(page) && (page == 0 || occupied(page - kPage));
    // In a 4 MiB chunk with nothing mapped, only its first page can start one.
    page = chunks_[page >> 22] ? page + kPage : (page | (uint64_t{kChunkPages} * kPage - 1)) + 1;
  }
  return n;
}

ShadowWindow::Mapping& ShadowWindow::make_slot(uint32_t page) {
  std::unique_ptr<Chunk>& c = chunks_[page >> 22];
  if (!c) c = std::make_unique<Chunk>();  // all slots not present
  return c->pages[(page >> 12) & (kChunkPages - 1)];
}

void ShadowWindow::forget(uint32_t page) {
  std::unique_ptr<Chunk>& c = chunks_[page >> 22];
  Mapping* m = c ? &c->pages[(page >> 12) & (kChunkPages - 1)] : nullptr;
  if (!m || !(m->present || m->parked)) return;
  mapped_pages_ -= m->present;
  parked_pages_ -= m->parked;
  m->present = m->parked = false;
  if (--c->occupied == 0) c.reset();
}

void ShadowWindow::set_writable(uint32_t linear_page, bool writable) {
  Mapping* m = slot(linear_page);
  if (!m || !m->present || m->writable == writable) return;
  check(mprotect(base_ + linear_page, kPage, writable ? PROT_READ | PROT_WRITE : PROT_READ) == 0, "mprotect shadow page");
  m->writable = writable;
}

// Parks the page (see Mapping::parked): the VMAs stay as they are.
void ShadowWindow::unmap(uint32_t linear_page) {
  Mapping* m = slot(linear_page);
  if (!m || !m->present) return;
  check(mprotect(base_ + linear_page, kPage, PROT_NONE) == 0, "park shadow page");
  m->present = false;
  m->parked = true;
  --mapped_pages_;
  ++parked_pages_;
}

void ShadowWindow::unmap_all() {
  if (!mapped_pages_ && !parked_pages_) return;
  void* p = mmap(base_, kSpan, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
  check(p != MAP_FAILED, "clear shadow window");
  for (auto& c : chunks_) c.reset();
  mapped_pages_ = parked_pages_ = 0;
  gaps_ = 1;
}

void ShadowWindow::unmap_range(uint32_t start, uint64_t size) {
  const size_t before = mapped_pages_ + parked_pages_;
  const size_t gaps_before = gaps_starting(start, start + size);
  for (uint64_t page = start; page < start + size;) {
    if (!chunks_[page >> 22]) {  // nothing mapped in this 4 MiB
      page = (page | (uint64_t{kChunkPages} * kPage - 1)) + 1;
      continue;
    }
    forget(static_cast<uint32_t>(page));
    page += kPage;
  }
  if (mapped_pages_ + parked_pages_ == before) return;
  void* p = mmap(base_ + start, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
  check(p != MAP_FAILED, "unmap shadow range");
  gaps_ = gaps_ - gaps_before + gaps_starting(start, start + size);
}

}  // namespace bt86
