// The guest's architectural CPU state, in one standard-layout struct whose
// field offsets the translated code uses directly (see the static_asserts).
// It lives in segmentation/ because the hidden segment state (descriptor
// caches) is the largest part of it; every library above uses it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

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
constexpr uint32_t kTSD = 1u << 2, kOSFXSR = 1u << 9;
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
  // --- fields the translated code touches (offsets asserted below) -------
  uint32_t gpr[8];        // EAX ECX EDX EBX ESP EBP ESI EDI
  uint32_t eip;
  uint32_t eflags;        // whole guest EFLAGS; host-live bits valid outside TC
  uint64_t window_base;   // host address of guest linear 0 in the current view
  uint64_t host_rsp;      // the run loop's stack pointer while in TC
  uint64_t exit_info;     // which stub/site ended the last run of TC
  uint64_t indirect_table;  // host address of the indirect-branch lookup table
  uint64_t poll_page;     // safepoint page, made inaccessible to stop the TC
  uint32_t seg_base[6];   // mirror of seg[i].base, for address formation
  int32_t string_stride;  // +1 or -1: guest EFLAGS.DF as string ops use it
  uint32_t pad0;
  uint64_t spill;         // a guest register borrowed by translated code
  uint32_t host_ac;       // kAC when host RFLAGS.AC must be set: CR0.AM, EFLAGS.AC, CPL 3
  uint32_t irq_pending;   // non-zero: the PIC has an interrupt waiting (whatever IF says)
  uint64_t check_scratch[2];  // the segment checks' two 64-bit sums
  // Per segment register, [0] for reads and [1] for writes: derived from
  // seg[] by refresh_segment_checks (segment_check.h) on every load.
  AccessBounds seg_bounds[6][2];
  uint32_t seg_checked;   // bit i: segment i needs checks (null, limited, read-only ...)
  uint32_t pad1;
  // Instruction fetch through CS (execute access: offsets 0..limit), checked
  // in blocks whose CS bit of seg_checked is set.
  AccessBounds fetch_bounds;
  // A bounce block's access (translator/bounce.cpp): in, the guest linear
  // address (low dword); out, the offset from window_base to access instead.
  uint64_t access_address;

  // --- everything else ---------------------------------------------------
  SegmentCache seg[6];
  TableRegister gdtr, idtr;
  SegmentCache ldtr, tr;
  uint32_t cr0, cr2, cr3, cr4;
  uint64_t efer;
  uint32_t dr[8];
  uint64_t tsc_offset;
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

  // CS's RPL (not its DPL, which differs in conforming code segments).
  uint32_t cpl() const { return (cr0 & 1) ? seg[kCs].selector & 3u : 0u; }
  bool code32() const { return seg[kCs].access & 0x4000; }
  bool paging() const { return cr0 & cr0::kPG; }
  bool protected_mode() const { return cr0 & cr0::kPE; }
};

static_assert(std::is_standard_layout_v<CpuState>);
static_assert(offsetof(CpuState, gpr) == 0);
static_assert(offsetof(CpuState, eip) == 32);
static_assert(offsetof(CpuState, eflags) == 36);
static_assert(offsetof(CpuState, window_base) == 40);
static_assert(offsetof(CpuState, host_rsp) == 48);
static_assert(offsetof(CpuState, exit_info) == 56);
static_assert(offsetof(CpuState, indirect_table) == 64);
static_assert(offsetof(CpuState, poll_page) == 72);
static_assert(offsetof(CpuState, seg_base) == 80);
static_assert(offsetof(CpuState, string_stride) == 104);
static_assert(offsetof(CpuState, spill) == 112);
static_assert(offsetof(CpuState, host_ac) == 120);
static_assert(offsetof(CpuState, irq_pending) == 124);
static_assert(offsetof(CpuState, check_scratch) == 128);
static_assert(offsetof(CpuState, seg_bounds) == 144);
static_assert(offsetof(CpuState, seg_checked) == 336);
static_assert(offsetof(CpuState, fetch_bounds) == 344);
static_assert(offsetof(CpuState, access_address) == 360);
static_assert(offsetof(CpuState, fxsave) % 16 == 0);

// Loads a flat 4 GiB segment (base 0) the way a Multiboot loader leaves it.
inline void load_flat(SegmentCache& s, uint16_t selector, bool code) {
  s.selector = selector;
  s.base = 0;
  s.limit = 0xFFFFFFFF;
  // P=1, DPL=0, S=1, type code exec/read (0xA) or data read/write (0x2), D/B=1, G=1
  s.access = static_cast<uint16_t>(0x80 | 0x10 | (code ? 0x0A : 0x02) | 0x4000 | 0x8000);
}

}  // namespace bt86
