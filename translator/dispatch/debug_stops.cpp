#include "dispatch/debug_stops.h"

#include <algorithm>
#include <iterator>

#include "dispatch/engine.h"

namespace bt86 {

std::vector<uint32_t> DebugStops::begin_run(const DebugRequest* request) {
  std::vector<uint32_t> wanted = request ? request->breakpoints : std::vector<uint32_t>{};
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<uint32_t> changed;
  std::set_symmetric_difference(wanted.begin(), wanted.end(), breakpoints_.begin(), breakpoints_.end(),
                                std::back_inserter(changed));
  breakpoints_ = std::move(wanted);
  watchpoints_ = request ? request->watchpoints : std::vector<Watchpoint>{};
  step_ = request && request->step;
  stop_.reset();
  return changed;
}

std::vector<uint32_t> DebugStops::watched_pages() const {
  std::vector<uint32_t> pages;
  for (const Watchpoint& w : watchpoints_)
    for (uint64_t page = w.linear & ~0xFFFull; page < uint64_t{w.linear} + std::max(w.length, 1u); page += 0x1000)
      pages.push_back(static_cast<uint32_t>(page));
  std::sort(pages.begin(), pages.end());
  pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
  return pages;
}

bool DebugStops::breakpoint_at(uint32_t linear) const {
  return std::binary_search(breakpoints_.begin(), breakpoints_.end(), linear);
}

void DebugStops::access(uint32_t linear, unsigned size, bool write) {
  for (const Watchpoint& w : watchpoints_) {
    if (!w.covers(linear, size)) continue;
    if ((w.kind == WatchKind::kWrite && !write) || (w.kind == WatchKind::kRead && write)) continue;
    stop({DebugStop::Reason::kWatchpoint, std::max(linear, w.linear), write ? WatchKind::kWrite : WatchKind::kRead});
    return;
  }
}

std::optional<DebugStop> DebugStops::take_stop() {
  if (interrupt_requested_.exchange(false)) stop({DebugStop::Reason::kInterrupted});
  return std::exchange(stop_, std::nullopt);
}

HelperResult helper_debugger_breakpoint(HelperContext& e, const HelperSite& s) {
  e.debug->hit_breakpoint(s.insn.eip);
  return e.exit_to(s.insn.eip);
}

// ---- the engine's side ------------------------------------------------------

void Engine::begin_debugging(const DebugRequest* request) {
  const std::vector<uint32_t> old_pages = debug_.watched_pages();
  for (uint32_t linear : debug_.begin_run(request)) cache_.invalidate_linear(linear);
  forget_invalidated();
  if (std::vector<uint32_t> pages = debug_.watched_pages(); pages != old_pages) aspace_.set_watched_pages(pages);
}

void Engine::interrupt() {
  debug_.interrupt();
  request_service();
}

}  // namespace bt86
