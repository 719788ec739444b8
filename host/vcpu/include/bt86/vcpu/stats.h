// What a backend counts about itself, printed as JSON by --stats (each fills
// in what it has: translations and chaining are bt86's, exits both have).
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace bt86 {

struct Stats {
  uint64_t guest_instructions_translated = 0;
  uint64_t blocks_translated = 0;
  uint64_t tc_bytes = 0;
  uint64_t chained_jumps = 0;
  uint64_t blocks_invalidated = 0;
  uint64_t tc_flushes = 0;
  uint64_t helper_continuations = 0;  // helpers that went on to the next block without the run loop
  std::map<std::string, uint64_t> exits;        // by cause
  std::map<std::string, uint64_t> host_faults;  // by cause
  std::map<std::string, uint64_t> shadow;       // shadow address spaces: contexts, evictions
  std::map<std::string, uint64_t> fast_paths;   // system instructions done without their general path
  uint64_t backend_switches = 0;  // bt86 <-> KVM moves of a running guest (--switch-every)
  double run_seconds = 0;
  // Host time the guest did not see (bt86 translating; --clock host), in
  // all, and how much of it the guest had not got back by the end.
  double hidden_seconds = 0, still_hidden_seconds = 0;
  // The last value the guest wrote to the POST port 0x80 (firmware
  // progress), -1 if none: the machine's, filled in by whoever reports.
  int last_post_code = -1;

  std::string to_json(const std::string& backend) const;
};

}  // namespace bt86
