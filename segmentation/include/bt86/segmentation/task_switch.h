// Hardware task switching (SDM vol. 3 ch. 8): jmp/call to a TSS or task
// gate, interrupts through task gates (Linux i386 takes #DF this way), and
// iret with EFLAGS.NT back to the previous task.
#pragma once
#include <cstdint>
#include <optional>

#include "bt86/segmentation/system_context.h"

namespace bt86 {

enum class TaskSwitchReason { kJmp, kCall, kIret, kInterrupt };

// Switches to the task whose TSS the selector names. The current EIP saved
// in the old TSS is cpu.eip on entry (the caller sets it to the return
// point). On failure raises the architecture's fault and returns false.
bool task_switch(SystemContext& ctx, uint16_t tss_selector, TaskSwitchReason reason,
                 std::optional<uint32_t> error_code = std::nullopt);

}  // namespace bt86
