#include "bt86/shadow/shadow_window.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace bt86 {

namespace {
constexpr uint64_t kVgaHoleStart = 0xA0000, kVgaHoleEnd = 0xC0000;

void check(int rc, const char* what) {
  if (rc != 0) throw std::system_error(errno, std::generic_category(), what);
}
}  // namespace

ShadowWindow::ShadowWindow(const GuestRam& ram) : ram_(ram), code_(ram.size() / kPage) {
  uint64_t total = kGuard + kSpan + kGuard;
  void* p = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "reserve shadow window");
  reservation_ = static_cast<uint8_t*>(p);
  base_ = reservation_ + kGuard;
}

ShadowWindow::~ShadowWindow() { munmap(reservation_, kGuard + kSpan + kGuard); }

ShadowWindow::Region ShadowWindow::classify(uintptr_t a) const {
  auto r = reinterpret_cast<uintptr_t>(reservation_);
  auto b = reinterpret_cast<uintptr_t>(base_);
  if (a < r || a >= b + kSpan + kGuard) return Region::kOutside;
  if (a < b) return Region::kGuardBelow;
  if (a < b + kSpan) return Region::kWindow;
  return Region::kGuardAbove;
}

void ShadowWindow::map_identity() {
  auto map_ram = [&](uint64_t start, uint64_t end) {
    end = std::min(end, ram_.size());
    if (start >= end) return;
    // SAFETY: [start, end) is inside both the RAM file and the 4 GiB window.
    void* p = mmap(base_ + start, end - start, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                   ram_.fd(), static_cast<off_t>(start));
    if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "map guest RAM into window");
  };
  map_ram(0, kVgaHoleStart);
  map_ram(kVgaHoleEnd, ram_.size());
}

bool ShadowWindow::is_mapped_ram(uint32_t linear) const {
  return linear < ram_.size() && !(linear >= kVgaHoleStart && linear < kVgaHoleEnd);
}

bool ShadowWindow::protect_code(uint32_t page) {
  if (!is_mapped_ram(page)) return false;
  if (code_[page / kPage]) return true;
  check(mprotect(base_ + page, kPage, PROT_READ), "write-protect code page");
  code_[page / kPage] = true;
  return true;
}

void ShadowWindow::unprotect_code(uint32_t page) {
  if (!is_mapped_ram(page) || !code_[page / kPage]) return;
  check(mprotect(base_ + page, kPage, PROT_READ | PROT_WRITE), "unprotect code page");
  code_[page / kPage] = false;
}

}  // namespace bt86
