// The descriptor-table instructions (SDM vol. 2): lgdt/lidt and
// sgdt/sidt, lldt and ltr, and lar, lsl, verr, verw, which look at a
// descriptor without loading it. Operands arrive as linear addresses and
// selectors; the caller formed and checked them.
#pragma once
#include <cstdint>
#include <optional>

#include "bt86/segmentation/system_context.h"

namespace bt86 {

// lgdt/lidt: the limit and base from the 6 bytes at linear (with a 16-bit
// operand size the base keeps 24 bits).
bool load_table_register(SystemContext& ctx, TableRegister& reg, uint32_t linear, bool operand16);
// sgdt/sidt: the guest's own values, always (ring aliasing needs nothing).
bool store_table_register(SystemContext& ctx, const TableRegister& reg, uint32_t linear);
// lldt: an LDT descriptor in the GDT, or a null selector (no LDT).
bool load_ldt(SystemContext& ctx, uint16_t selector);
// ltr: an available 32-bit TSS in the GDT, marked busy.
bool load_task_register(SystemContext& ctx, uint16_t selector);

// lar and lsl: the access rights (descriptor bits 8..23 of the high word)
// or the limit of the descriptor a selector names, when the CPL and RPL
// may see it; nullopt clears ZF.
std::optional<uint32_t> access_rights_of(SystemContext& ctx, uint16_t selector);
std::optional<uint32_t> segment_limit_of(SystemContext& ctx, uint16_t selector);
// verr/verw: whether the segment is readable (writable) at CPL and RPL.
bool segment_verifies(SystemContext& ctx, uint16_t selector, bool write);

}  // namespace bt86
