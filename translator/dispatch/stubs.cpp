#include "dispatch/stubs.h"

#include <asmjit/x86.h>
#include <cpuid.h>

#include <stdexcept>

#include "bt86/vcpu/tracer.h"
#include "emit/host_regs.h"
#include "cache/relocate.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;
using namespace hostreg;

namespace {

constexpr uint32_t kLiveMask = eflags::kHostLive;

void save_gprs(Assembler& a) {
  for (unsigned i = 0; i < 8; ++i) a.mov(cpu_gpr(i), guest32(i));
}
void load_gprs(Assembler& a) {
  for (unsigned i = 0; i < 8; ++i) a.mov(guest32(i), cpu_gpr(i));
}
// Host RFLAGS -> the host-live bits of cpu.eflags, and host AC cleared for
// the C++ code that follows (which may access memory unaligned). Clobbers
// r10, r11, flags.
void save_flags(Assembler& a) {
  a.pushfq();
  a.pop(r10);
  a.and_(r10d, kLiveMask);
  a.mov(r11d, cpu_eflags());
  a.and_(r11d, ~kLiveMask);
  a.or_(r11d, r10d);
  a.mov(cpu_eflags(), r11d);
  Label no_ac = a.newLabel();
  a.cmp(frame_field(offsetof(CpuFrame, host_ac), 4), 0);
  a.je(no_ac);
  a.push(imm(eflags::kFixed1));
  a.popfq();
  a.bind(no_ac);
}
// cpu.eflags' host-live bits -> host RFLAGS, plus AC when the guest's
// alignment checks run natively (frame.host_ac). While translated code runs,
// cpu.eflags keeps only the virtual bits (the live ones read as zero), so
// an inline pushf can add the two halves without masking. Clobbers r10 and
// rax (the guest registers are loaded after it).
// Without host AC: DF by cld/std, OF by an add that overflows or not, and
// the rest by sahf. POPFQ, microcoded, was about a fifth of a helper call
// that returns (docs/ARCHITECTURE.md, "FPU and SSE state"). The first
// x86-64 processors lack SAHF in 64-bit mode: POPFQ always there.
bool host_has_sahf() {
  unsigned eax, ebx, ecx, edx;
  return __get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (ecx & 1);
}
void load_flags(Assembler& a) {
  static const bool sahf = host_has_sahf();
  Label popf = a.newLabel(), df_clear = a.newLabel(), df_done = a.newLabel(), done = a.newLabel();
  a.mov(r10d, cpu_eflags());
  a.and_(cpu_eflags(), ~kLiveMask);
  if (sahf) {
    a.cmp(frame_field(offsetof(CpuFrame, host_ac), 4), 0);
    a.jne(popf);
  } else {
    a.jmp(popf);
  }
  a.test(r10d, eflags::kDF);
  a.jz(df_clear);
  a.std();
  a.jmp(df_done);
  a.bind(df_clear);
  a.cld();
  a.bind(df_done);
  a.mov(eax, r10d);
  a.shr(eax, 11);  // OF
  a.and_(eax, 1);
  a.add(al, 0x7F);  // overflows exactly when OF was set
  a.movzx(eax, r10b);
  a.mov(ah, al);
  a.sahf();  // SF ZF AF PF CF
  a.jmp(done);
  a.bind(popf);
  a.and_(r10d, kLiveMask);
  a.or_(r10d, eflags::kFixed1);
  a.or_(r10d, frame_field(offsetof(CpuFrame, host_ac), 4));
  a.push(r10);
  a.popfq();
  a.bind(done);
}

// After the guest's x87/SSE state is saved: the host's control words (x87
// 0x37F, MXCSR 0x1F80) and no pending x87 exception, so C++ code never runs
// with the guest's rounding, FTZ/DAZ or unmasked exceptions. (Not fninit:
// with it Debian's Linux guest segfaults in its fork loop; not understood
// yet, see docs/ARCHITECTURE.md.)
void load_host_fpu(Assembler& a, const Label& host_mxcsr) {
  a.fnclex();
  a.fldcw(x86::word_ptr(host_mxcsr, 4));
  a.ldmxcsr(x86::dword_ptr(host_mxcsr));
}

// A helper call whose guest runs with the x87's default control word saves
// only what C++ code clobbers of the guest's x87/SSE state: XMM0-7
// (caller-saved in the host ABI, used by memcpy and friends) and MXCSR,
// into their places in cpu.fxsave. bt86's C++ code never uses the x87 (no
// long double), and with every x87 exception masked a pending one cannot
// trap in C++, so the guest's x87 state stays in the host FPU. Any other
// control word takes the whole FXSAVE/FXRSTOR. Measured reason: FXSAVE,
// FXRSTOR and the control-word loads were ~150 cycles of every helper call
// (in/out, mov sreg, int, iret).
constexpr int kMxcsrOffset = 24, kXmmOffset = 160;
constexpr uint16_t kHostFcw = 0x037F;

void save_guest_sse(Assembler& a, const Label& host_mxcsr) {
  for (unsigned i = 0; i < 8; ++i) a.movaps(state_field(offsetof(CpuState, fxsave) + kXmmOffset + 16 * i, 16), xmm(i));
  a.stmxcsr(state_field(offsetof(CpuState, fxsave) + kMxcsrOffset, 4));
  a.ldmxcsr(x86::dword_ptr(host_mxcsr));
}
void load_guest_sse(Assembler& a) {
  for (unsigned i = 0; i < 8; ++i) a.movaps(xmm(i), state_field(offsetof(CpuState, fxsave) + kXmmOffset + 16 * i, 16));
  a.ldmxcsr(state_field(offsetof(CpuState, fxsave) + kMxcsrOffset, 4));
}

}  // namespace

Stubs Stubs::generate(CodeCache& cache) {
  CodeHolder code;
  code.init(Environment::host());
  Assembler a(&code);
  Label enter = a.newLabel(), exit_common = a.newLabel(), leave = a.newLabel(),
        thunk = a.newLabel(), access_thunk = a.newLabel(), fault_exit = a.newLabel(), miss = a.newLabel(),
        host_mxcsr = a.newLabel();

  // void enter(CpuFrame* frame /*rdi*/, const void* code /*rsi*/)
  a.bind(enter);
  for (const Gp& r : {rbx, rbp, r12, r13, r14, r15}) a.push(r);
  a.sub(rsp, 8);  // translated code runs with rsp 16-byte aligned
  a.mov(kFrame, rdi);
  a.mov(frame_field(offsetof(CpuFrame, host_rsp), 8), rsp);
  a.mov(kWindow, frame_field(offsetof(CpuFrame, window_base), 8));
  a.fxrstor64(cpu_fxsave());
  a.mov(r11, rsi);
  load_flags(a);
  load_gprs(a);
  a.jmp(r11);

  // r10 = exit info; the guest state is still in registers.
  a.bind(exit_common);
  a.mov(cpu_exit_info(), r10);
  save_flags(a);
  save_gprs(a);
  a.fxsave64(cpu_fxsave());
  load_host_fpu(a, host_mxcsr);
  a.bind(leave);
  a.mov(rsp, frame_field(offsetof(CpuFrame, host_rsp), 8));
  a.cld();
  a.add(rsp, 8);
  for (const Gp& r : {r15, r14, r13, r12, rbp, rbx}) a.pop(r);
  a.ret();

  // The signal handler stored registers and flags; the FPU is still live.
  a.bind(fault_exit);
  a.fxsave64(cpu_fxsave());
  load_host_fpu(a, host_mxcsr);
  a.jmp(leave);

  // call from translated code, r10 = HelperSite*: saves the guest state,
  // calls entry(frame, site), and returns into translated code (entry gave 0)
  // or leaves it.
  // ebx (guest EBX, saved and reloaded around the call, callee-saved in the
  // host ABI) remembers whether the x87 state stayed live.
  auto emit_thunk = [&](const Label& at, int (*entry)(CpuFrame*, const void*)) {
    Label full_save = a.newLabel(), call = a.newLabel(), full_restore = a.newLabel(), resume = a.newLabel(),
          thunk_exit = a.newLabel(), saved = a.newLabel(), back = a.newLabel(), go_on = a.newLabel();
    a.bind(at);
    a.mov(cpu_exit_info(), r10);  // save_flags clobbers r10
    save_flags(a);
    save_gprs(a);
    a.fnstcw(state_field(offsetof(CpuState, fxsave), 2));
    a.cmp(state_field(offsetof(CpuState, fxsave), 2), imm(kHostFcw));
    a.jne(full_save);
    save_guest_sse(a, host_mxcsr);
    a.mov(ebx, 1);
    a.jmp(call);
    a.bind(full_save);
    a.fxsave64(cpu_fxsave());
    load_host_fpu(a, host_mxcsr);
    a.xor_(ebx, ebx);
    a.bind(call);
    a.cld();
    a.mov(rdi, kFrame);
    a.mov(rsi, cpu_exit_info());
    a.sub(rsp, 8);
    a.mov(rax, imm(reinterpret_cast<uint64_t>(entry)));
    a.call(rax);
    a.add(rsp, 8);
    a.test(eax, eax);
    a.jz(back);
    a.cmp(eax, kThunkContinueAt);
    a.jne(thunk_exit);
    a.bind(back);  // into translated code: the block, or the next one (continue_at)
    a.test(ebx, ebx);
    a.jz(full_restore);
    load_guest_sse(a);
    a.jmp(resume);
    a.bind(full_restore);
    a.fxrstor64(cpu_fxsave());
    a.bind(resume);
    a.test(eax, eax);
    a.jnz(go_on);
    load_flags(a);
    load_gprs(a);
    a.ret();
    a.bind(go_on);  // the next block may run in the other window
    a.mov(kWindow, frame_field(offsetof(CpuFrame, window_base), 8));
    a.mov(r11, frame_field(offsetof(CpuFrame, continue_at), 8));
    load_flags(a);
    load_gprs(a);
    a.lea(rsp, ptr(rsp, 8));  // drop the return address into the block that ended (lea: the guest's flags are live)
    a.jmp(r11);
    a.bind(thunk_exit);  // the run loop wants the whole x87/SSE image
    a.test(ebx, ebx);
    a.jz(saved);
    load_guest_sse(a);
    a.fxsave64(cpu_fxsave());
    load_host_fpu(a, host_mxcsr);
    a.bind(saved);
    a.add(rsp, 8);  // drop the return address into translated code
    a.jmp(leave);
  };
  emit_thunk(thunk, &bt86_helper_entry);
  emit_thunk(access_thunk, &bt86_access_entry);

  // Indirect-branch miss (r9d = target EIP); empty table entries point here.
  a.bind(miss);
  a.mov(cpu_eip(), r9d);
  a.mov(r10, imm(exit_tag::kIndirectMiss));
  a.jmp(exit_common);

  a.align(AlignMode::kData, 4);
  a.bind(host_mxcsr);
  a.embedUInt32(0x1F80);  // MXCSR, then the x87 control word
  a.embedUInt16(0x037F);

  Placed placed = place_in_cache(code, cache);
  if (!placed.host) throw std::runtime_error("translation cache too small for the stubs");
  cache.set_permanent(placed.size);
  auto at = [&](Label l) { return placed.host + code.labelOffsetFromBase(l); };
  Stubs s;
  s.enter = reinterpret_cast<EnterFn>(at(enter));
  s.exit_common = at(exit_common);
  s.helper_thunk = at(thunk);
  s.access_thunk = at(access_thunk);
  s.fault_exit = at(fault_exit);
  s.miss_target = at(miss);
  s.end = placed.host + placed.size;
  return s;
}

void Stubs::describe(Tracer& tracer) const {
  // In the order generate() emits them, each up to the next.
  const std::pair<const void*, const char*> stubs[] = {
      {reinterpret_cast<const void*>(enter), "bt86:enter"}, {exit_common, "bt86:exit"}, {fault_exit, "bt86:fault_exit"},
      {helper_thunk, "bt86:helper_thunk"}, {access_thunk, "bt86:access_thunk"}, {miss_target, "bt86:indirect_miss"},
      {end, nullptr}};
  for (size_t i = 0; stubs[i].second; ++i) {
    auto from = static_cast<const uint8_t*>(stubs[i].first), to = static_cast<const uint8_t*>(stubs[i + 1].first);
    tracer.host_code(from, static_cast<size_t>(to - from), stubs[i].second);
  }
}

}  // namespace bt86
