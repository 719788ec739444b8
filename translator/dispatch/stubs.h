// Code the engine generates once at the start of the translation cache:
// entering and leaving translated code, the C++ helper thunk, the
// indirect-branch miss path and the exit after a host fault.
#pragma once
#include <cstdint>

#include "cache/code_cache.h"

namespace bt86 {

struct CpuFrame;
class Tracer;

// exit_info values that are not ExitLink pointers (pointers are 8-aligned).
namespace exit_tag {
constexpr uint64_t kHelper = 1;        // or'ed into a HelperSite pointer
constexpr uint64_t kIndirectMiss = 2;
constexpr uint64_t kHostFault = 3;
}  // namespace exit_tag

// Called by the thunk with the guest state saved in the frame; returns 0 to
// return into the block, kThunkContinueAt to go on at the frame's
// continue_at (the next block), anything else to leave translated code (the
// helper then set the guest EIP and exit_info).
constexpr int kThunkContinueAt = 2;
extern "C" int bt86_helper_entry(CpuFrame* frame, const void* site);
// The same for an access of a bounce block (a step inside an instruction,
// not an instruction of its own: see Engine::run_access).
extern "C" int bt86_access_entry(CpuFrame* frame, const void* site);

struct Stubs {
  using EnterFn = void (*)(CpuFrame*, const void* code);
  EnterFn enter;
  const uint8_t* exit_common;   // r10 = exit info
  const uint8_t* helper_thunk;  // r10 = HelperSite*
  const uint8_t* access_thunk;  // r10 = HelperSite*; as helper_thunk, through bt86_access_entry
  const uint8_t* fault_exit;    // registers already saved by the signal handler
  const uint8_t* miss_target;   // indirect miss, r9d = target EIP; empty table entries point here
  const uint8_t* end;           // past the last stub

  // Names the stubs in a perf map (--perf-map).
  void describe(Tracer& tracer) const;

  static Stubs generate(CodeCache& cache);
};

}  // namespace bt86
