#include "bt86/devices/debug_exit.h"

#include <fmt/format.h>

namespace bt86 {

void DebugExit::write(uint64_t, unsigned, uint32_t value) {
  control_.request_exit(static_cast<int>(((value << 1) | 1) & 0xFF),
                        fmt::format("guest wrote {:#x} to isa-debug-exit", value));
}

}  // namespace bt86
