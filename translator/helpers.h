// C++ helpers that carry out the instructions translated code cannot run
// natively (privileged, sensitive, I/O, legacy). Each receives the engine
// with the guest state saved in cpu and cpu.eip at the instruction.
#pragma once
#include "block.h"

namespace bt86 {

#define BT86_HELPER(name) HelperResult name(Engine&, const HelperSite&)
// helpers_cpu.cpp
BT86_HELPER(helper_cli); BT86_HELPER(helper_sti); BT86_HELPER(helper_hlt);
BT86_HELPER(helper_cpuid); BT86_HELPER(helper_rdtsc); BT86_HELPER(helper_rdpmc); BT86_HELPER(helper_rdmsr); BT86_HELPER(helper_wrmsr);
BT86_HELPER(helper_pushf); BT86_HELPER(helper_popf);
BT86_HELPER(helper_mov_cr); BT86_HELPER(helper_mov_dr); BT86_HELPER(helper_breakpoint); BT86_HELPER(helper_clts); BT86_HELPER(helper_lmsw);
BT86_HELPER(helper_smsw); BT86_HELPER(helper_cache_control);
BT86_HELPER(helper_undefined); BT86_HELPER(helper_unsupported);
BT86_HELPER(helper_fetch_fault); BT86_HELPER(helper_fpu_unavailable);
// helpers_io.cpp
BT86_HELPER(helper_in); BT86_HELPER(helper_out); BT86_HELPER(helper_ins); BT86_HELPER(helper_outs);
// helpers_segment.cpp
BT86_HELPER(helper_load_table); BT86_HELPER(helper_store_table); BT86_HELPER(helper_lldt_ltr);
BT86_HELPER(helper_sldt_str); BT86_HELPER(helper_mov_to_sreg);
BT86_HELPER(helper_pop_sreg); BT86_HELPER(helper_load_far_pointer); BT86_HELPER(helper_jmp_far);
BT86_HELPER(helper_call_far); BT86_HELPER(helper_ret_far); BT86_HELPER(helper_iret);
BT86_HELPER(helper_int); BT86_HELPER(helper_lar_lsl); BT86_HELPER(helper_verr_verw);
BT86_HELPER(helper_sysenter); BT86_HELPER(helper_sysexit);
BT86_HELPER(helper_syscall); BT86_HELPER(helper_sysret);
BT86_HELPER(helper_segment_gp); BT86_HELPER(helper_segment_ss);
// helpers_legacy.cpp
BT86_HELPER(helper_native32); BT86_HELPER(helper_bound); BT86_HELPER(helper_arpl);
BT86_HELPER(helper_enter_nested);
// bounce.cpp: the steps of a bounce block's access (BlockBuilder::call_access)
BT86_HELPER(helper_access_redirect); BT86_HELPER(helper_access_commit);
#undef BT86_HELPER

// HelperSite::arg of helper_access_redirect: the access's size and kind.
constexpr uint32_t access_arg(unsigned size, bool read, bool write) {
  return size | (read ? 1u << 16 : 0) | (write ? 1u << 17 : 0);
}

}  // namespace bt86
