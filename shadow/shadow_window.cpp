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
  // SAFETY: the run lies inside the window (it ends at or below 4 GiB) and
  // its pages are RAM (the caller checked each against the memfd's size).
  void* p = mmap(base_ + linear_page, size_t{pages} * kPage, writable ? PROT_READ | PROT_WRITE : PROT_READ,
                 MAP_SHARED | MAP_FIXED, ram_.fd(), static_cast<off_t>(phys_page));
  check(p != MAP_FAILED, "map guest pages into shadow window");
  const uint64_t last = linear_page + uint64_t{pages} * kPage;  // the first page past the run
  const size_t before = gaps_starting(linear_page, last);
  for (uint32_t i = 0; i < pages; ++i) mapped_[linear_page + i * 0x1000] = {phys_page + i * 0x1000, writable};
  gaps_ = gaps_ - before + gaps_starting(linear_page, last);
}

size_t ShadowWindow::gaps_starting(uint64_t from, uint64_t to) const {
  size_t n = 0;
  for (uint64_t page = from; page <= to && page < kSpan; page += kPage)
    n += !is_mapped(page) && (page == 0 || is_mapped(page - kPage));
  return n;
}

// A stretch starts at page 0 when it is unmapped, and after every mapped
// page whose successor is not.
void ShadowWindow::recount_gaps() {
  gaps_ = is_mapped(0) ? 0 : 1;
  for (const auto& [page, m] : mapped_) gaps_ += page + kPage < kSpan && !is_mapped(page + kPage);
}

void ShadowWindow::set_writable(uint32_t linear_page, bool writable) {
  auto it = mapped_.find(linear_page);
  if (it == mapped_.end() || it->second.writable == writable) return;
  check(mprotect(base_ + linear_page, kPage, writable ? PROT_READ | PROT_WRITE : PROT_READ) == 0, "mprotect shadow page");
  it->second.writable = writable;
}

void ShadowWindow::unmap(uint32_t linear_page) {
  const size_t before = gaps_starting(linear_page, uint64_t{linear_page} + kPage);
  if (!mapped_.erase(linear_page)) return;
  gaps_ = gaps_ - before + gaps_starting(linear_page, uint64_t{linear_page} + kPage);
  void* p = mmap(base_ + linear_page, kPage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
  check(p != MAP_FAILED, "unmap shadow page");
}

void ShadowWindow::unmap_all() {
  if (mapped_.empty()) return;
  void* p = mmap(base_, kSpan, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
  check(p != MAP_FAILED, "clear shadow window");
  mapped_.clear();
  gaps_ = 1;
}

void ShadowWindow::unmap_range(uint32_t start, uint64_t size) {
  size_t before = mapped_.size();
  const bool small = size / kPage < mapped_.size();  // visit the range's pages, not every mapping
  const size_t gaps_before = small ? gaps_starting(start, start + size) : 0;
  if (small) {
    for (uint64_t page = start; page < start + size; page += kPage) mapped_.erase(static_cast<uint32_t>(page));
  } else {
    std::erase_if(mapped_, [&](const auto& entry) { return entry.first >= start && entry.first - start < size; });
  }
  if (mapped_.size() == before) return;
  void* p = mmap(base_ + start, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
  check(p != MAP_FAILED, "unmap shadow range");
  if (small) gaps_ = gaps_ - gaps_before + gaps_starting(start, start + size);
  else recount_gaps();
}

const ShadowWindow::Mapping* ShadowWindow::mapping(uint32_t linear_page) const {
  auto it = mapped_.find(linear_page);
  return it == mapped_.end() ? nullptr : &it->second;
}

}  // namespace bt86
