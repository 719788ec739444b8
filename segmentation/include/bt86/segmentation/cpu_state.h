// The guest's architectural CPU state, in one standard-layout struct whose
// field offsets the translated code uses directly (see the static_asserts),
// with the descriptor caches' precomputed access rights. It lives in
// segmentation/ because the hidden segment state (descriptor caches) is the
// largest part of it; every library above uses it, and both backends carry
// the guest from one to the other in it. What only the translated code
// needs (host pointers, mirrors, scratch) is the translator's CpuFrame.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "bt86/segmentation/descriptor.h"

namespace bt86 {

enum Gpr : unsigned { kEax, kEcx, kEdx, kEbx, kEsp, kEbp, kEsi, kEdi };
enum SegReg : unsigned { kEs, kCs, kSs, kDs, kFs, kGs };

namespace eflags {
constexpr uint32_t kCF = 1u << 0, kFixed1 = 1u << 1, kPF = 1u << 2, kAF = 1u << 4, kZF = 1u << 6,
                   kSF = 1u << 7, kTF = 1u << 8, kIF = 1u << 9, kDF = 1u << 10, kOF = 1u << 11,
                   kIOPL = 3u << 12, kNT = 1u << 14, kRF = 1u << 16, kVM = 1u << 17,
                   kAC = 1u << 18, kVIF = 1u << 19, kVIP = 1u << 20, kID = 1u << 21;
// The bits translated code keeps in the host's RFLAGS; all others are
// virtual and live only in CpuState::eflags.
constexpr uint32_t kHostLive = kCF | kPF | kAF | kZF | kSF | kOF | kDF;
// The bits a guest can ever see set (the rest read as zero, bit 1 as one).
constexpr uint32_t kImplemented = kHostLive | kTF | kIF | kIOPL | kNT | kRF | kVM | kAC | kVIF |
                                  kVIP | kID;
}  // namespace eflags

namespace cr0 {
constexpr uint32_t kPE = 1u << 0, kMP = 1u << 1, kEM = 1u << 2, kTS = 1u << 3, kET = 1u << 4,
                   kNE = 1u << 5, kWP = 1u << 16, kAM = 1u << 18, kNW = 1u << 29,
                   kCD = 1u << 30, kPG = 1u << 31;
}

namespace cr4 {
constexpr uint32_t kVME = 1u << 0, kPVI = 1u << 1, kTSD = 1u << 2, kPSE = 1u << 4, kPAE = 1u << 5, kPGE = 1u << 7, kPCE = 1u << 8, kOSFXSR = 1u << 9,
                   kOSXMMEXCPT = 1u << 10;
}

// The hidden part of a segment register, as the last load left it.
struct SegmentCache {
  uint16_t selector;
  uint16_t access;  // descriptor bits 40..55: type, S, DPL, P, AVL, L, D/B, G
  uint32_t base;
  uint32_t limit;  // byte-granular, already scaled
};

// The offsets a segment allows for one kind of access, in the form the
// translated code's flag-free check wants (see segment_check.h): an access
// of n bytes at offset o is allowed iff o + lo_adj >= 2^32 and
// o + n - 1 + hi_adj < 2^32, with all sums in 64 bits.
struct AccessBounds {
  uint64_t lo_adj;  // 2^32 - lowest allowed offset (0: nothing allowed)
  uint64_t hi_adj;  // 2^32 - 1 - highest allowed offset
};

// Machine-check banks (IA32_MCG_CAP's count): as many as the P6 family has.
constexpr unsigned kMcBanks = 5;

struct TableRegister {
  uint32_t base;
  uint16_t limit;
};

struct alignas(64) CpuState {
  // --- fields the translated code reads and writes (offsets asserted below;
  // it reaches them inside the translator's CpuFrame, cpu_frame.h) ---------
  uint32_t gpr[8];        // EAX ECX EDX EBX ESP EBP ESI EDI
  uint32_t eip;
  uint32_t eflags;        // whole guest EFLAGS; host-live bits valid outside TC
  // --- the rest of the architectural state ---------------------------------
  SegmentCache seg[6];    // the selectors too: mov from sreg reads them inline
  TableRegister gdtr, idtr;
  SegmentCache ldtr, tr;
  uint32_t cr0, cr2, cr3, cr4;
  uint64_t efer;
  uint32_t dr[8];
  uint64_t tsc_offset;    // the guest TSC is the host's plus this (rdtsc inline)
  uint64_t msr_sysenter[3];  // IA32_SYSENTER_CS, _ESP, _EIP
  uint64_t msr_star;         // STAR: SYSCALL's and SYSRET's CS and SYSCALL's EIP
  uint64_t msr_pat;          // IA32_PAT
  uint64_t msr_misc_enable;  // IA32_MISC_ENABLE
  uint64_t mcg_status;       // IA32_MCG_STATUS
  uint64_t mc_bank[kMcBanks][4];  // IA32_MCi_CTL, _STATUS, _ADDR, _MISC
  uint64_t perf_evtsel[4], perf_ctr[4];  // the K7-style performance counters (no events counted)
  bool halted;
  bool nmi_blocked;  // an NMI is being handled: the next waits for an iret

  alignas(16) uint8_t fxsave[512];  // guest x87/SSE state while outside TC

  // The descriptor caches' access rights, precomputed (segment_check.h):
  // per segment register, [0] for reads and [1] for writes, derived from
  // seg[] by refresh_segment_checks on every load. They stay apart from the
  // registers and EFLAGS: right after EFLAGS (refreshed by C++ just after
  // the exit stub stored the registers there), an int 0x80 round trip and
  // an iret were 11-13 % slower (nanobench, A/B interleaved).
  AccessBounds seg_bounds[6][2];
  uint32_t seg_checked;   // bit i: segment i needs checks (null, limited, read-only ...)
  uint32_t pad;
  // Instruction fetch through CS (execute access: offsets 0..limit), checked
  // in blocks whose CS bit of seg_checked is set.
  AccessBounds fetch_bounds;

  // CS's RPL (not its DPL, which differs in conforming code segments); 3 in
  // virtual-8086 mode, 0 in real mode.
  uint32_t cpl() const {
    if (!(cr0 & 1)) return 0;
    return (eflags & eflags::kVM) ? 3u : seg[kCs].selector & 3u;
  }
  bool code32() const { return seg[kCs].access & access_rights::kBig; }
  // SS.B: ESP (set) or SP (clear, a 16-bit stack, as after reset) addresses the stack.
  bool stack32() const { return seg[kSs].access & access_rights::kBig; }
  bool paging() const { return cr0 & cr0::kPG; }
  bool protected_mode() const { return cr0 & cr0::kPE; }
};

static_assert(std::is_standard_layout_v<CpuState>);
static_assert(offsetof(CpuState, gpr) == 0);
static_assert(offsetof(CpuState, eip) == 32);
static_assert(offsetof(CpuState, eflags) == 36);
static_assert(offsetof(CpuState, seg) == 40);
static_assert(offsetof(CpuState, tsc_offset) % 8 == 0);
static_assert(offsetof(CpuState, fxsave) % 16 == 0);
static_assert(offsetof(CpuState, seg_bounds) == 1024);

// Registers, flags, segments, control and table registers, for reports.
std::string dump_state(const CpuState& cpu);

// Loads a flat 4 GiB segment (base 0) the way a Multiboot loader leaves it.
inline void load_flat(SegmentCache& s, uint16_t selector, bool code) {
  s.selector = selector;
  s.base = 0;
  s.limit = 0xFFFFFFFF;
  // DPL 0, execute/read code or read/write data, 32-bit, page granular.
  using namespace access_rights;
  s.access = static_cast<uint16_t>(kPresent | kSegment | (code ? kCode | kReadWrite : kReadWrite) | kBig | kGranularity);
}

}  // namespace bt86
