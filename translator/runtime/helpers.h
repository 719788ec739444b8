// C++ helpers that carry out the instructions translated code cannot run
// natively (privileged, sensitive, I/O, legacy), one per row of the op
// table (emit/op_table.cpp). Each receives the HelperContext, with the guest
// state saved in its cpu and cpu.eip at the instruction; the system
// instructions themselves are the segmentation library's.
#pragma once
#include "cache/block.h"
#include "runtime/helper_context.h"

namespace bt86 {

#define BT86_HELPER(name) HelperResult name(HelperContext&, const HelperSite&)
// helpers_cpu.cpp
BT86_HELPER(helper_cli); BT86_HELPER(helper_sti); BT86_HELPER(helper_hlt);
BT86_HELPER(helper_cpuid); BT86_HELPER(helper_rdtsc); BT86_HELPER(helper_rdpmc); BT86_HELPER(helper_rdmsr); BT86_HELPER(helper_wrmsr);
BT86_HELPER(helper_pushf); BT86_HELPER(helper_popf);
BT86_HELPER(helper_mov_cr); BT86_HELPER(helper_mov_dr); BT86_HELPER(helper_breakpoint); BT86_HELPER(helper_clts); BT86_HELPER(helper_lmsw);
BT86_HELPER(helper_smsw); BT86_HELPER(helper_cache_control);
BT86_HELPER(helper_undefined); BT86_HELPER(helper_unsupported); BT86_HELPER(helper_general_protection);
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
#undef BT86_HELPER

// Whether a helper can change which interrupts are pending or deliverable
// (a device access, EFLAGS.IF, an NMI unblocked, ...): every one but a data
// segment load, the commonest exit of a kernel's entry and exit paths.
inline bool may_change_interrupts(HelperFn fn) { return fn != helper_mov_to_sreg && fn != helper_pop_sreg; }

}  // namespace bt86
