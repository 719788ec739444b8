// Command-line options of the bt86 executable.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace bt86 {

struct RunOptions {
  std::string kernel;  // a Linux bzImage or a Multiboot v1 kernel, told apart by content
  std::string bios;    // --bios: a firmware image booted from the reset vector (instead of --kernel)
  std::string disk;      // --disk: a raw disk image, the primary IDE channel's master
  std::string cdrom;     // --cdrom: an ISO image, the secondary IDE channel's master
  bool snapshot = false;  // --snapshot: the guest's disk writes go to a temporary overlay
  bool boot_cdrom = false;  // --boot d: the firmware tries the CD-ROM first (c: the disk)
  std::string debugcon;  // --debugcon: where port 0xE9's bytes go (stderr when empty)
  std::string initrd;  // Linux: the initrd; Multiboot: "FILE [ARGS],..." modules
  std::string append;
  uint64_t memory_bytes = 256ull << 20;
  std::string backend = "bt";  // or "kvm"
  double timeout_seconds = 0;
  std::string stats_file;
  std::string clock = "host";  // --clock host|wall|virtual
  bool restart_on_reset = false;  // --on-reset restart: a guest reset boots the kernel again
  // --switch-every: move the guest between bt86 and KVM every this many
  // guest instructions or this much host time (both 0: never).
  uint64_t switch_instructions = 0;
  double switch_seconds = 0;
  std::string passthrough;  // --passthrough: a host PCI address for VFIO
  uint32_t trace_events = 0;  // --trace: bt86/vcpu/tracer.h's trace:: bits
  std::string trace_file;     // --trace-file: where the trace goes (stderr when empty)
  bool perf_map = false;      // --perf-map: name translated code in /tmp/perf-PID.map
  // --gdb tcp::PORT (-s: port 1234): serve gdb's remote protocol; -1: off,
  // 0: any free port (said on stderr).
  int gdb_port = -1;
  bool wait_gdb = false;  // --wait-gdb / -S: start stopped, for gdb
  bool help = false;        // --help / -h: print the usage, run nothing
};

// Parses argv (after the program name); on error returns nullopt and sets error.
std::optional<RunOptions> parse_run_options(int argc, char** argv, std::string& error);
std::string usage();

}  // namespace bt86
