#include "bt86/vcpu/stats.h"

#include <fmt/format.h>

namespace bt86 {

namespace {
std::string object(const std::map<std::string, uint64_t>& m) {
  std::string s = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    s += fmt::format("{}\"{}\": {}", first ? "" : ", ", k, v);
    first = false;
  }
  return s + "}";
}
}  // namespace

std::string Stats::to_json(const std::string& backend) const {
  return fmt::format(
      "{{\n  \"backend\": \"{}\",\n  \"guest_instructions_translated\": {},\n  \"blocks_translated\": {},\n"
      "  \"tc_bytes\": {},\n  \"chained_jumps\": {},\n  \"blocks_invalidated\": {},\n  \"tc_flushes\": {},\n"
      "  \"helper_continuations\": {},\n"
      "  \"exits\": {},\n  \"host_faults\": {},\n  \"shadow\": {},\n  \"fast_paths\": {},\n"
      "  \"backend_switches\": {},\n"
      "  \"run_seconds\": {:.6f},\n  \"hidden_seconds\": {:.6f},\n  \"still_hidden_seconds\": {:.6f},\n"
      "  \"last_post_code\": {}\n}}\n",
      backend, guest_instructions_translated, blocks_translated, tc_bytes, chained_jumps,
      blocks_invalidated, tc_flushes, helper_continuations, object(exits), object(host_faults), object(shadow),
      object(fast_paths), backend_switches,
      run_seconds, hidden_seconds, still_hidden_seconds,
      last_post_code < 0 ? std::string("null") : std::to_string(last_post_code));
}

}  // namespace bt86
