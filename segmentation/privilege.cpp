#include "bt86/segmentation/privilege.h"

#include "bt86/segmentation/descriptor.h"

namespace bt86 {

namespace {
constexpr uint32_t kTss32MinLimit = 0x67;
constexpr uint32_t kIoMapBase = 0x66;  // the bitmap's offset in the 32-bit TSS
}  // namespace

bool io_allowed(SystemContext& ctx, uint16_t port, unsigned size) {
  const CpuState& cpu = ctx.cpu;
  // Virtual-8086 mode always asks the bitmap (SDM vol. 1, 19.5.2).
  if (!cpu.protected_mode() || (iopl_allows(cpu) && !(cpu.eflags & eflags::kVM))) return true;
  const SegmentCache& tr = cpu.tr;
  const auto supervisor = SystemContext::Privilege::kSupervisor;
  uint16_t map_base = 0;
  if (null_selector(tr.selector) || tr.limit < kTss32MinLimit ||
      !ctx.read_linear(tr.base + kIoMapBase, &map_base, 2, supervisor))
    return false;
  uint32_t first = map_base + port / 8u, last = map_base + (port + size - 1u) / 8u;
  if (last > tr.limit) return false;
  uint16_t bits = 0;
  if (!ctx.read_linear(tr.base + first, &bits, last - first + 1, supervisor)) return false;
  uint16_t wanted = static_cast<uint16_t>(((1u << size) - 1) << (port % 8));
  return (bits & wanted) == 0;
}

}  // namespace bt86
