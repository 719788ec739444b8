#include "differ.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace bt86::fuzz {

Verdict Differ::check(const Case& c, const std::vector<bool>& keep) {
  const uint32_t slot = slot_;
  slot_ = (slot_ + 1) % FUZZ_CODE_SLOTS;
  const uint32_t at = slot_address(slot) + c.code_offset;
  Assembled a = assemble(c.program, at - code_base(slot, mode), keep, mode != FUZZ_MODE_FLAT32);
  if (a.code.size() > FUZZ_CODE_MAX) throw std::runtime_error(fmt::format("case {}: code too large", c.index));
  Run r{slot, at, &a.code, a.end_eip, &c.state, &c.data, mode};
  Verdict v;
  v.native = native_.run(r);
  v.other = other_.run(r);
  if (corrupt) corrupt(c, v.other);
  v.differences = compare(v.native, v.other);
  v.instructions = v.native.vector == FUZZ_END ? a.starts.size() : a.reached(v.native.state.eip);
  return v;
}

namespace {

std::string ending(const Outcome& o) {
  if (o.vector == FUZZ_END) return "reached the end";
  if (o.vector == FUZZ_TIMEOUT) return "timed out";
  if (o.vector == kStopped) return o.note;
  return fmt::format("exception {} (error code {:#x})", o.vector, o.error_code);
}

bool same_kind(const Verdict& v, const std::string& field) {
  return std::any_of(v.differences.begin(), v.differences.end(),
                     [&](const std::string& d) { return field_of(d) == field; });
}

}  // namespace

std::string Differ::shrink_and_report(const Case& c, const Verdict& first) {
  const std::string field = field_of(first.differences.front());
  const size_t n = c.program.units.size();
  std::vector<bool> keep(n, true);
  // Drop halves, quarters, ... single units, while the same field differs.
  for (size_t chunk = std::max<size_t>(n / 2, 1);; chunk = std::max<size_t>(chunk / 2, 1)) {
    bool progress = false;
    for (size_t start = 0; start < n; start += chunk) {
      std::vector<bool> trial = keep;
      bool any = false;
      for (size_t i = start; i < std::min(n, start + chunk); ++i) {
        any |= trial[i];
        trial[i] = false;
      }
      if (!any) continue;
      if (same_kind(check(c, trial), field)) keep = trial, progress = true;
    }
    if (chunk == 1 && !progress) break;
  }
  Verdict last = check(c, keep);
  const uint32_t slot = (slot_ + FUZZ_CODE_SLOTS - 1) % FUZZ_CODE_SLOTS;
  const uint32_t base = slot_address(slot) + c.code_offset - code_base(slot, mode);
  Assembled a = assemble(c.program, base, keep, mode != FUZZ_MODE_FLAT32);

  std::string out = fmt::format("=== {}: seed {} case {} ({} of {} units kept)\n", title, c.seed, c.index,
                                std::count(keep.begin(), keep.end(), true), n);
  out += fmt::format("reproduce: bt86_fuzz --native ... --seed {} --case {}{}\n", c.seed, c.index, reproduce_options);
  out += "--- program\n" + listing(a.code, base, mode != FUZZ_MODE_FLAT32);
  fuzz_state initial = c.state;
  initial.eip = base;
  out += "--- initial state (data area: random bytes of the case's seed)\n" + describe(initial);
  for (const auto& [side, o] : {std::pair{"native", &last.native}, std::pair{other_.name(), &last.other}}) {
    out += fmt::format("--- {}: {}\n", side, ending(*o));
    if (o->vector != kStopped && o->vector != FUZZ_TIMEOUT) out += describe(o->state);
  }
  out += "--- differences (native vs " + std::string(other_.name()) + ")\n";
  for (const std::string& d : last.differences.empty() ? first.differences : last.differences) out += "  " + d + "\n";
  return out;
}

}  // namespace bt86::fuzz
