#include "bt86/segmentation/descriptor_tables.h"

#include <algorithm>

#include "bt86/segmentation/segment_load.h"

namespace bt86 {

bool load_table_register(SystemContext& ctx, TableRegister& reg, uint32_t linear, bool operand16) {
  uint16_t limit;
  uint32_t base;
  if (!ctx.read_linear(linear, &limit, 2) || !ctx.read_linear(linear + 2, &base, 4)) return false;
  if (operand16) base &= 0xFFFFFF;
  reg = {base, limit};
  return true;
}

bool store_table_register(SystemContext& ctx, const TableRegister& reg, uint32_t linear) {
  return ctx.write_linear(linear, &reg.limit, 2) && ctx.write_linear(linear + 2, &reg.base, 4);
}

namespace {
// lldt and ltr: a present system descriptor of `type` (or `other`) in the GDT.
bool read_system_descriptor(SystemContext& ctx, uint16_t sel, unsigned type, Descriptor& d, int other = -1) {
  if (selector_in_ldt(sel)) return ctx.raise(Vector::kGP, selector_error(sel));  // must come from the GDT
  if (!read_descriptor(ctx, sel, d)) return false;
  if (!d.is(type) && (other < 0 || !d.is(static_cast<unsigned>(other))))
    return ctx.raise(Vector::kGP, selector_error(sel));
  if (!d.present()) return ctx.raise(Vector::kNP, selector_error(sel));
  return true;
}

// The descriptor lar, lsl, verr and verw may look at: inside its table and,
// unless conforming code, of a DPL that CPL and RPL may use.
std::optional<Descriptor> visible_descriptor(SystemContext& ctx, uint16_t sel) {
  Descriptor d;
  if (!peek_descriptor(ctx, sel, d)) return std::nullopt;
  if (!d.conforming() && d.dpl() < std::max<unsigned>(ctx.cpu.cpl(), selector_rpl(sel))) return std::nullopt;
  return d;
}

// The system types lar reports: TSSs, LDTs, call and task gates; lsl those
// with a limit (no gates).
bool has_limit(const Descriptor& d) {
  using namespace system_type;
  const unsigned t = d.type();
  return t == kTss16 || t == kLdt || t == kTss16Busy || t == kTss32 || t == kTss32Busy;
}
bool is_gate_lar_reports(const Descriptor& d) {
  using namespace system_type;
  const unsigned t = d.type();
  return t == kCallGate16 || t == kTaskGate || t == kCallGate32;
}
}  // namespace

bool load_ldt(SystemContext& ctx, uint16_t sel) {
  if (null_selector(sel)) {
    ctx.cpu.ldtr = SegmentCache{sel, 0, 0, 0};
    return true;
  }
  Descriptor d;
  if (!read_system_descriptor(ctx, sel, system_type::kLdt, d)) return false;
  ctx.cpu.ldtr = SegmentCache{sel, d.access(), d.base(), d.limit()};
  return true;
}

bool load_task_register(SystemContext& ctx, uint16_t sel) {
  if (null_selector(sel)) return ctx.raise(Vector::kGP, 0u);
  Descriptor d;
  // An available TSS, 32-bit or 16-bit (286).
  if (!read_system_descriptor(ctx, sel, system_type::kTss32, d, system_type::kTss16)) return false;
  d.set_busy(true);  // in the GDT too
  ctx.write_linear(ctx.cpu.gdtr.base + selector_offset(sel) + 4, &d.hi, 4, SystemContext::Privilege::kSupervisor);
  ctx.cpu.tr = SegmentCache{sel, d.access(), d.base(), d.limit()};
  return true;
}

std::optional<uint32_t> access_rights_of(SystemContext& ctx, uint16_t sel) {
  std::optional<Descriptor> d = visible_descriptor(ctx, sel);
  if (!d || (d->system() && !has_limit(*d) && !is_gate_lar_reports(*d))) return std::nullopt;
  return d->hi & 0x00FFFF00;
}

std::optional<uint32_t> segment_limit_of(SystemContext& ctx, uint16_t sel) {
  std::optional<Descriptor> d = visible_descriptor(ctx, sel);
  if (!d || (d->system() && !has_limit(*d))) return std::nullopt;
  return d->limit();
}

bool segment_verifies(SystemContext& ctx, uint16_t sel, bool write) {
  std::optional<Descriptor> d = visible_descriptor(ctx, sel);
  return d && !d->system() && (write ? d->writable_data() : d->readable());
}

}  // namespace bt86
