// `bt86 suite`: runs a regression suite of guests (manifests, kvm-unit-tests)
// as child bt86 processes, in parallel, and reports a verdict per guest.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "bt86/suite/entry.h"

namespace bt86::suite {

struct SuiteOptions {
  std::vector<std::string> sources;  // manifest files or directories
  std::string kut_dir;               // --kut: a kvm-unit-tests build
  unsigned jobs = 0;                 // -j: guests at once; 0: the number of cores
  std::vector<std::string> backends{"bt"};  // --backend bt,kvm
  std::string clock;                 // --clock for guests that name none; empty: bt86's default
  std::string filter;                // --filter: only guests whose name this regex finds
  unsigned shard_index = 0, shard_count = 1;  // --shard K/N: index K-1 of N
  std::string junit_file, tap_file;
  std::string out_dir = "suite-out";  // --out: failure directories
  bool list = false;                  // --list: print the guests and their commands, run nothing
  bool help = false;
  std::string bt86;  // --bt86: the executable that runs the guests (the CLI's default: itself)
};

// Parses argv (after "suite"); on error returns nullopt and sets error.
std::optional<SuiteOptions> parse_suite_options(int argc, char** argv, std::string& error);
std::string suite_usage();

// The guests the options select, in order: the manifests' and then
// kvm-unit-tests', filtered, then this shard's (every N-th from the K-th).
// Throws SuiteError.
std::vector<GuestEntry> select_guests(const SuiteOptions& o);
// The environment file --kut's guests get as their module (in --out).
std::string kut_env_path(const SuiteOptions& o);
std::vector<GuestEntry> take_shard(std::vector<GuestEntry> entries, unsigned index, unsigned count);

// Runs the suite; returns bt86's exit status: 0 if no guest failed, 1 if
// one did, 2 if the suite cannot run (said on stderr), 130 if interrupted.
int run_suite(const SuiteOptions& o);

}  // namespace bt86::suite
