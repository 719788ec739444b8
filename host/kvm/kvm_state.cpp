#include "bt86/kvm/kvm_state.h"

#include <sys/ioctl.h>
#include <x86intrin.h>

#include <cstring>

#include "bt86/segmentation/msrs.h"
#include "kvm_abi.h"

namespace bt86 {

namespace {
constexpr uint32_t kMsrTsc = msr::kTsc, kMsrSysenterCs = msr::kSysenterCs;
constexpr size_t kFxsaveSize = 512;
constexpr size_t kXstateBvOffset = 512;  // XSAVE header: which components the image holds
constexpr uint64_t kXstateFpSse = 3;

// KVM_GET/SET_MSRS' argument, with room for the few MSRs we move: those
// KVM owns to run the guest (kvm_msrs.h), the others stay bt86's.
struct MsrList {
  kvm_abi::MsrsHeader header;
  kvm_msr_entry entries[6];
};

// CpuState gains an EFER with the paging work; until it has one the guest
// runs with EFER 0, as an i686 without NX or long mode does.
template <class State>
uint64_t efer_of(const State& cpu) {
  if constexpr (requires { cpu.efer; }) return cpu.efer;
  else return 0;
}
template <class State>
void set_efer(State& cpu, uint64_t value) {
  if constexpr (requires { cpu.efer; }) cpu.efer = value;
}

// Segment registers in the order of CpuState::seg (ES CS SS DS FS GS).
kvm_segment* sreg(kvm_sregs& s, unsigned i) {
  kvm_segment* regs[] = {&s.es, &s.cs, &s.ss, &s.ds, &s.fs, &s.gs};
  return regs[i];
}

void put_fpu(const CpuState& cpu, const KvmVcpu& vcpu) {
  if (vcpu.has_xsave()) {
    // The first 512 bytes of the XSAVE area are the FXSAVE image itself.
    kvm_abi::Xsave xs{};
    vcpu.ioctl_or_throw(kvm_abi::kGetXsave, &xs, "KVM_GET_XSAVE");
    auto* bytes = reinterpret_cast<uint8_t*>(xs.region);
    std::memcpy(bytes, cpu.fxsave, kFxsaveSize);
    uint64_t bv;
    std::memcpy(&bv, bytes + kXstateBvOffset, 8);
    bv |= kXstateFpSse;
    std::memcpy(bytes + kXstateBvOffset, &bv, 8);
    vcpu.ioctl_or_throw(kvm_abi::kSetXsave, &xs, "KVM_SET_XSAVE");
    return;
  }
  // kvm_fpu follows the 64-bit FXSAVE layout: last_ip/last_dp are 8 bytes
  // that hold FIP:FCS and FDP:FDS of the 32-bit image, so copy them whole.
  kvm_fpu f{};
  const uint8_t* x = cpu.fxsave;
  std::memcpy(&f.fcw, x + 0, 2);
  std::memcpy(&f.fsw, x + 2, 2);
  f.ftwx = x[4];
  std::memcpy(&f.last_opcode, x + 6, 2);
  std::memcpy(&f.last_ip, x + 8, 8);
  std::memcpy(&f.last_dp, x + 16, 8);
  std::memcpy(&f.mxcsr, x + 24, 4);
  std::memcpy(f.fpr, x + 32, sizeof f.fpr);
  std::memcpy(f.xmm, x + 160, sizeof f.xmm);
  vcpu.ioctl_or_throw(KVM_SET_FPU, &f, "KVM_SET_FPU");
}

void get_fpu(const KvmVcpu& vcpu, CpuState& cpu) {
  if (vcpu.has_xsave()) {
    kvm_abi::Xsave xs{};
    vcpu.ioctl_or_throw(kvm_abi::kGetXsave, &xs, "KVM_GET_XSAVE");
    std::memcpy(cpu.fxsave, xs.region, kFxsaveSize);
    return;
  }
  kvm_fpu f{};
  vcpu.ioctl_or_throw(KVM_GET_FPU, &f, "KVM_GET_FPU");
  uint8_t* x = cpu.fxsave;
  std::memcpy(x + 0, &f.fcw, 2);
  std::memcpy(x + 2, &f.fsw, 2);
  x[4] = f.ftwx;
  std::memcpy(x + 6, &f.last_opcode, 2);
  std::memcpy(x + 8, &f.last_ip, 8);
  std::memcpy(x + 16, &f.last_dp, 8);
  std::memcpy(x + 24, &f.mxcsr, 4);
  std::memcpy(x + 32, f.fpr, sizeof f.fpr);
  std::memcpy(x + 160, f.xmm, sizeof f.xmm);
}

void put_msrs(const CpuState& cpu, const KvmVcpu& vcpu) {
  MsrList m{};
  unsigned n = 0;
  for (unsigned i = 0; i < 3; ++i) m.entries[n++] = {kMsrSysenterCs + i, 0, cpu.msr_sysenter[i]};
  m.entries[n++] = {msr::kPat, 0, cpu.msr_pat};
  m.entries[n++] = {msr::kStar, 0, cpu.msr_star};
  if (vcpu.has_tsc_offset_attr()) {
    // Exact: the guest TSC is the host's plus this offset, as in CpuState.
    uint64_t offset = cpu.tsc_offset;
    kvm_device_attr attr{};
    attr.group = KVM_VCPU_TSC_CTRL;
    attr.attr = KVM_VCPU_TSC_OFFSET;
    attr.addr = reinterpret_cast<uint64_t>(&offset);
    vcpu.ioctl_or_throw(KVM_SET_DEVICE_ATTR, &attr, "KVM_SET_DEVICE_ATTR(TSC offset)");
  } else {
    m.entries[n++] = {kMsrTsc, 0, __rdtsc() + cpu.tsc_offset};
  }
  m.header.nmsrs = n;
  if (::ioctl(vcpu.fd(), kvm_abi::kSetMsrs, &m) != static_cast<int>(n))
    throw KvmError("KVM_SET_MSRS: KVM refused the SYSENTER, PAT, STAR or TSC MSRs");
}

void get_msrs(const KvmVcpu& vcpu, CpuState& cpu) {
  MsrList m{};
  unsigned n = 0;
  for (unsigned i = 0; i < 3; ++i) m.entries[n++].index = kMsrSysenterCs + i;
  m.entries[n++].index = msr::kPat;
  m.entries[n++].index = msr::kStar;
  if (!vcpu.has_tsc_offset_attr()) m.entries[n++].index = kMsrTsc;
  m.header.nmsrs = n;
  if (::ioctl(vcpu.fd(), kvm_abi::kGetMsrs, &m) != static_cast<int>(n))
    throw KvmError("KVM_GET_MSRS: KVM did not report the SYSENTER, PAT, STAR or TSC MSRs");
  for (unsigned i = 0; i < 3; ++i) cpu.msr_sysenter[i] = m.entries[i].data;
  cpu.msr_pat = m.entries[3].data;
  cpu.msr_star = m.entries[4].data;
  if (vcpu.has_tsc_offset_attr()) {
    uint64_t offset = 0;
    kvm_device_attr attr{};
    attr.group = KVM_VCPU_TSC_CTRL;
    attr.attr = KVM_VCPU_TSC_OFFSET;
    attr.addr = reinterpret_cast<uint64_t>(&offset);
    vcpu.ioctl_or_throw(KVM_GET_DEVICE_ATTR, &attr, "KVM_GET_DEVICE_ATTR(TSC offset)");
    cpu.tsc_offset = offset;
  } else {
    cpu.tsc_offset = m.entries[5].data - __rdtsc();
  }
}
}  // namespace

kvm_segment to_kvm_segment(const SegmentCache& s) {
  kvm_segment k{};
  k.base = s.base;
  k.limit = s.limit;
  k.selector = s.selector;
  k.type = s.access & 0xF;
  k.s = s.access >> 4 & 1;
  k.dpl = s.access >> 5 & 3;
  k.present = s.access >> 7 & 1;
  k.avl = s.access >> 12 & 1;
  k.l = s.access >> 13 & 1;
  k.db = s.access >> 14 & 1;
  k.g = s.access >> 15 & 1;
  k.unusable = !k.present;
  return k;
}

SegmentCache from_kvm_segment(const kvm_segment& k) {
  SegmentCache s{};
  s.base = static_cast<uint32_t>(k.base);
  s.limit = k.limit;
  s.selector = k.selector;
  bool present = k.present && !k.unusable;
  s.access = static_cast<uint16_t>((k.type & 0xF) | (k.s & 1) << 4 | (k.dpl & 3) << 5 | present << 7 |
                                   (k.avl & 1) << 12 | (k.l & 1) << 13 | (k.db & 1) << 14 | (k.g & 1) << 15);
  return s;
}

void to_kvm(const CpuState& cpu, const KvmVcpu& vcpu) {
  kvm_regs r{};
  r.rax = cpu.gpr[kEax]; r.rcx = cpu.gpr[kEcx]; r.rdx = cpu.gpr[kEdx]; r.rbx = cpu.gpr[kEbx];
  r.rsp = cpu.gpr[kEsp]; r.rbp = cpu.gpr[kEbp]; r.rsi = cpu.gpr[kEsi]; r.rdi = cpu.gpr[kEdi];
  r.rip = cpu.eip;
  r.rflags = cpu.eflags | eflags::kFixed1;
  vcpu.ioctl_or_throw(KVM_SET_REGS, &r, "KVM_SET_REGS");

  kvm_sregs s{};
  vcpu.ioctl_or_throw(KVM_GET_SREGS, &s, "KVM_GET_SREGS");  // keeps apic_base as KVM has it
  for (unsigned i = 0; i < 6; ++i) {
    kvm_segment k = to_kvm_segment(cpu.seg[i]);
    // Every load of a code/data segment sets the descriptor's accessed bit,
    // so a loaded cache always has it; VMX rejects usable ones without it.
    if (k.present && k.s) k.type |= 1;
    *sreg(s, i) = k;
  }
  s.ldt = to_kvm_segment(cpu.ldtr);
  s.tr = to_kvm_segment(cpu.tr);
  if (!s.tr.present) {
    // A never-loaded TR (our reset state) is, on hardware, a busy 32-bit
    // TSS at its reset base/limit; VMX refuses anything else on entry.
    s.tr.type = 11;
    s.tr.s = 0;
    s.tr.present = 1;
    s.tr.unusable = 0;
  }
  s.gdt = {cpu.gdtr.base, cpu.gdtr.limit, {}};
  s.idt = {cpu.idtr.base, cpu.idtr.limit, {}};
  s.cr0 = cpu.cr0;
  s.cr2 = cpu.cr2;
  s.cr3 = cpu.cr3;
  s.cr4 = cpu.cr4;
  s.efer = efer_of(cpu);
  std::memset(s.interrupt_bitmap, 0, sizeof s.interrupt_bitmap);
  vcpu.ioctl_or_throw(KVM_SET_SREGS, &s, "KVM_SET_SREGS");

  if (vcpu.vm().extension(KVM_CAP_DEBUGREGS)) {
    kvm_debugregs d{};
    for (unsigned i = 0; i < 4; ++i) d.db[i] = cpu.dr[i];
    d.dr6 = cpu.dr[6];
    d.dr7 = cpu.dr[7];
    vcpu.ioctl_or_throw(KVM_SET_DEBUGREGS, &d, "KVM_SET_DEBUGREGS");
  }
  put_fpu(cpu, vcpu);
  put_msrs(cpu, vcpu);
  // NMI blocking (an NMI handler has not reached its iret yet).
  kvm_vcpu_events ev{};
  vcpu.ioctl_or_throw(KVM_GET_VCPU_EVENTS, &ev, "KVM_GET_VCPU_EVENTS");
  ev.nmi.masked = cpu.nmi_blocked;
  ev.flags = 0;  // the other fields as they are
  vcpu.ioctl_or_throw(KVM_SET_VCPU_EVENTS, &ev, "KVM_SET_VCPU_EVENTS");
}

void from_kvm(const KvmVcpu& vcpu, CpuState& cpu) {
  kvm_regs r{};
  vcpu.ioctl_or_throw(KVM_GET_REGS, &r, "KVM_GET_REGS");
  cpu.gpr[kEax] = static_cast<uint32_t>(r.rax); cpu.gpr[kEcx] = static_cast<uint32_t>(r.rcx);
  cpu.gpr[kEdx] = static_cast<uint32_t>(r.rdx); cpu.gpr[kEbx] = static_cast<uint32_t>(r.rbx);
  cpu.gpr[kEsp] = static_cast<uint32_t>(r.rsp); cpu.gpr[kEbp] = static_cast<uint32_t>(r.rbp);
  cpu.gpr[kEsi] = static_cast<uint32_t>(r.rsi); cpu.gpr[kEdi] = static_cast<uint32_t>(r.rdi);
  cpu.eip = static_cast<uint32_t>(r.rip);
  cpu.eflags = static_cast<uint32_t>(r.rflags);

  kvm_sregs s{};
  vcpu.ioctl_or_throw(KVM_GET_SREGS, &s, "KVM_GET_SREGS");
  for (unsigned i = 0; i < 6; ++i) cpu.seg[i] = from_kvm_segment(*sreg(s, i));
  cpu.ldtr = from_kvm_segment(s.ldt);
  cpu.tr = from_kvm_segment(s.tr);
  // The inverse of to_kvm's stand-in for a never-loaded TR (ltr cannot load
  // selector 0, so only the reset state looks like this).
  if (cpu.tr.selector == 0 && cpu.tr.base == 0 && cpu.tr.limit == 0) cpu.tr.access = 0;
  cpu.gdtr = {static_cast<uint32_t>(s.gdt.base), s.gdt.limit};
  cpu.idtr = {static_cast<uint32_t>(s.idt.base), s.idt.limit};
  cpu.cr0 = static_cast<uint32_t>(s.cr0);
  cpu.cr2 = static_cast<uint32_t>(s.cr2);
  cpu.cr3 = static_cast<uint32_t>(s.cr3);
  cpu.cr4 = static_cast<uint32_t>(s.cr4);
  set_efer(cpu, s.efer);

  if (vcpu.vm().extension(KVM_CAP_DEBUGREGS)) {
    kvm_debugregs d{};
    vcpu.ioctl_or_throw(KVM_GET_DEBUGREGS, &d, "KVM_GET_DEBUGREGS");
    for (unsigned i = 0; i < 4; ++i) cpu.dr[i] = static_cast<uint32_t>(d.db[i]);
    cpu.dr[6] = static_cast<uint32_t>(d.dr6);
    cpu.dr[7] = static_cast<uint32_t>(d.dr7);
  }
  get_fpu(vcpu, cpu);
  get_msrs(vcpu, cpu);
  kvm_vcpu_events ev{};
  vcpu.ioctl_or_throw(KVM_GET_VCPU_EVENTS, &ev, "KVM_GET_VCPU_EVENTS");
  cpu.nmi_blocked = ev.nmi.masked;
}

}  // namespace bt86
