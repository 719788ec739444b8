#include "bt86/segmentation/v86.h"

#include "bt86/segmentation/guest_stack.h"
#include "bt86/segmentation/segment_load.h"

namespace bt86 {

namespace {
constexpr uint32_t kIoMapBase = 0x66;  // in the 32-bit TSS

bool vme(const CpuState& cpu) { return in_v86(cpu) && (cpu.cr4 & cr4::kVME); }

// FLAGS as a VME program sees it below IOPL 3: IF is VIF, IOPL reads 3.
uint16_t virtual_flags_image(const CpuState& cpu) {
  uint32_t image = (cpu.eflags & ~(eflags::kIF | eflags::kIOPL)) | eflags::kIOPL;
  if (cpu.eflags & eflags::kVIF) image |= eflags::kIF;
  return static_cast<uint16_t>(image);
}

// The word at SS:[SP + 2 * index], read without popping it.
bool peek_word(SystemContext& ctx, unsigned index, uint32_t& value) {
  uint32_t linear;
  value = 0;
  const uint32_t sp = stack_pointer_plus(ctx.cpu, static_cast<int32_t>(2 * index));
  return segment_linear(ctx, kSs, sp, 2, false, linear) && ctx.read_linear(linear, &value, 2);
}

// An image popf or iret may load under VME: not with TF, not with IF while
// VIP is set (the monitor must see those).
bool loadable_virtual_image(const CpuState& cpu, uint32_t image) {
  return !(image & eflags::kTF) && !((image & eflags::kIF) && (cpu.eflags & eflags::kVIP));
}

// FLAGS := image except IF and IOPL; VIF := image's IF.
void load_virtual_flags(SystemContext& ctx, uint32_t image) {
  const CpuState& cpu = ctx.cpu;
  const uint32_t kept = 0xFFFF0000u | eflags::kIF | eflags::kIOPL;
  uint32_t value = (cpu.eflags & kept) | (image & ~kept);
  value = (image & eflags::kIF) ? value | eflags::kVIF : value & ~eflags::kVIF;
  set_eflags(ctx, value);
}
}  // namespace

void load_v86_segment(SegmentCache& s, uint16_t selector) {
  using namespace access_rights;
  s = SegmentCache{selector, static_cast<uint16_t>(kPresent | kSegment | (3u << 5) | kReadWrite | kAccessed),
                   uint32_t{selector} << 4, 0xFFFF};
}

void load_v86_segments(CpuState& cpu, const uint32_t selectors[6]) {
  for (unsigned s = 0; s < 6; ++s) load_v86_segment(cpu.seg[s], static_cast<uint16_t>(selectors[s]));
}

bool iret_to_v86(SystemContext& ctx, uint32_t eip, uint32_t cs, uint32_t flags) {
  CpuState& cpu = ctx.cpu;
  uint32_t esp, sel[6];
  sel[kCs] = cs;
  if (!pop32(ctx, esp) || !pop32(ctx, sel[kSs]) || !pop32(ctx, sel[kEs]) || !pop32(ctx, sel[kDs]) ||
      !pop32(ctx, sel[kFs]) || !pop32(ctx, sel[kGs]))
    return false;
  load_v86_segments(cpu, sel);
  cpu.gpr[kEsp] = esp;
  cpu.eip = eip & 0xFFFF;
  set_eflags(ctx, flags);
  ctx.segments_changed();
  return true;
}

bool v86_iret(SystemContext& ctx, unsigned width) {
  CpuState& cpu = ctx.cpu;
  if (iopl(cpu) < 3) {
    if (!vme(cpu) || width != 2) return ctx.raise(Vector::kGP, 0u);
    uint32_t ip, cs, image;
    if (!peek_word(ctx, 0, ip) || !peek_word(ctx, 1, cs) || !peek_word(ctx, 2, image)) return false;
    if (!loadable_virtual_image(cpu, image) || ip > cpu.seg[kCs].limit) return ctx.raise(Vector::kGP, 0u);
    set_stack_pointer(cpu, stack_pointer_plus(cpu, 6));
    load_v86_segment(cpu.seg[kCs], static_cast<uint16_t>(cs));
    cpu.eip = ip;
    load_virtual_flags(ctx, image);
    ctx.segments_changed();
    return true;
  }
  const uint32_t start_sp = cpu.gpr[kEsp];
  uint32_t ip, cs, flags;
  if (!pop(ctx, width, ip) || !pop(ctx, width, cs) || !pop(ctx, width, flags)) {
    cpu.gpr[kEsp] = start_sp;
    return false;
  }
  if (ip > cpu.seg[kCs].limit) {
    cpu.gpr[kEsp] = start_sp;
    return ctx.raise(Vector::kGP, 0u);
  }
  load_v86_segment(cpu.seg[kCs], static_cast<uint16_t>(cs));
  cpu.eip = ip;
  // 32 bits: VM, IOPL, VIF and VIP stay; 16 bits: IOPL and the upper half.
  const uint32_t kept = eflags::kIOPL | (width == 4 ? eflags::kVM | eflags::kVIF | eflags::kVIP : 0xFFFF0000u);
  set_eflags(ctx, (cpu.eflags & kept) | (flags & ~kept));
  ctx.segments_changed();
  return true;
}

bool virtual_interrupt_flag(SystemContext& ctx, bool set) {
  CpuState& cpu = ctx.cpu;
  const bool virtual_if = in_v86(cpu) ? (cpu.cr4 & cr4::kVME) != 0
                                      : cpu.protected_mode() && cpu.cpl() == 3 && (cpu.cr4 & cr4::kPVI);
  if (!virtual_if || (set && (cpu.eflags & eflags::kVIP))) return ctx.raise(Vector::kGP, 0u);
  set_eflags(ctx, set ? cpu.eflags | eflags::kVIF : cpu.eflags & ~eflags::kVIF);
  return true;
}

bool v86_pushf(SystemContext& ctx, unsigned width) {
  if (!vme(ctx.cpu) || width != 2) return ctx.raise(Vector::kGP, 0u);
  return push16(ctx, virtual_flags_image(ctx.cpu));
}

bool v86_popf(SystemContext& ctx, unsigned width) {
  CpuState& cpu = ctx.cpu;
  uint32_t image;
  if (!vme(cpu) || width != 2) return ctx.raise(Vector::kGP, 0u);
  if (!peek_word(ctx, 0, image)) return false;
  if (!loadable_virtual_image(cpu, image)) return ctx.raise(Vector::kGP, 0u);
  set_stack_pointer(cpu, stack_pointer_plus(cpu, 2));
  load_virtual_flags(ctx, image);
  return true;
}

V86Int v86_int(SystemContext& ctx, uint8_t vector, uint32_t return_ip) {
  CpuState& cpu = ctx.cpu;
  const bool below_iopl3 = iopl(cpu) < 3;
  auto fault = [&] {
    ctx.raise(Vector::kGP, 0u);
    return V86Int::kFaulted;
  };
  if (!(cpu.cr4 & cr4::kVME)) return below_iopl3 ? fault() : V86Int::kToIdt;
  // The redirection bitmap: the 32 bytes below the I/O bitmap in the TSS.
  uint16_t map_base = 0;
  uint8_t bits = 0;
  const auto supervisor = SystemContext::Privilege::kSupervisor;
  if (!ctx.read_linear(cpu.tr.base + kIoMapBase, &map_base, 2, supervisor)) return V86Int::kFaulted;
  const uint32_t byte = uint32_t{map_base} - 32 + vector / 8u;
  if (map_base < 32 || byte > cpu.tr.limit) return fault();
  if (!ctx.read_linear(cpu.tr.base + byte, &bits, 1, supervisor)) return V86Int::kFaulted;
  if (bits >> (vector % 8) & 1) return below_iopl3 ? fault() : V86Int::kToIdt;
  // Redirected: through the program's own vector table, as in real mode.
  uint16_t entry[2];  // IP, CS
  if (!ctx.read_linear(uint32_t{vector} * 4, entry, 4)) return V86Int::kFaulted;
  const uint16_t image = below_iopl3 ? virtual_flags_image(cpu) : static_cast<uint16_t>(cpu.eflags);
  const uint32_t start_sp = cpu.gpr[kEsp];
  if (!push16(ctx, image) || !push16(ctx, cpu.seg[kCs].selector) || !push16(ctx, static_cast<uint16_t>(return_ip))) {
    cpu.gpr[kEsp] = start_sp;
    return V86Int::kFaulted;
  }
  load_v86_segment(cpu.seg[kCs], entry[1]);
  cpu.eip = entry[0];
  set_eflags(ctx, cpu.eflags & ~(eflags::kTF | (below_iopl3 ? eflags::kVIF : eflags::kIF)));
  ctx.segments_changed();
  return V86Int::kRedirected;
}

void null_v86_data_segments(CpuState& cpu) {
  for (unsigned s : kV86DataSegments) cpu.seg[s] = SegmentCache{};
}

}  // namespace bt86
