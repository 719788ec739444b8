#include "bt86/segmentation/cpu_state.h"

#include <fmt/format.h>

namespace bt86 {

std::string dump_state(const CpuState& c) {
  static const char* gnames[] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
  static const char* snames[] = {"ES", "CS", "SS", "DS", "FS", "GS"};
  std::string s = "guest state:\n";
  for (unsigned i = 0; i < 8; ++i) s += fmt::format("  {}={:08x}{}", gnames[i], c.gpr[i], i % 4 == 3 ? "\n" : "");
  s += fmt::format("  EIP={:08x}  EFLAGS={:08x}  CPL={}\n", c.eip, c.eflags, c.cpl());
  for (unsigned i = 0; i < 6; ++i)
    s += fmt::format("  {}={:04x} base={:08x} limit={:08x} access={:04x}\n", snames[i], c.seg[i].selector,
                     c.seg[i].base, c.seg[i].limit, c.seg[i].access);
  s += fmt::format("  CR0={:08x} CR2={:08x} CR3={:08x} CR4={:08x}\n", c.cr0, c.cr2, c.cr3, c.cr4);
  s += fmt::format("  GDTR={:08x}/{:04x} IDTR={:08x}/{:04x} TR={:04x} LDTR={:04x}\n", c.gdtr.base, c.gdtr.limit,
                   c.idtr.base, c.idtr.limit, c.tr.selector, c.ldtr.selector);
  return s;
}

}  // namespace bt86
