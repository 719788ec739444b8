// Real-address mode (CR0.PE clear; SDM vol. 3, chapter 20.1): interrupts and
// exceptions through the interrupt vector table at IDTR, iret, and far
// jmp/call/ret, where a selector is only a paragraph number (base =
// selector * 16) and the descriptor caches keep the limits and attributes
// the last protected-mode load gave them ("unreal" mode). The protected-mode
// versions (interrupt_delivery.cpp, iret.cpp, far_transfer.cpp) hand over
// to these while CR0.PE is clear.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "bt86/segmentation/event.h"
#include "bt86/segmentation/system_context.h"

namespace bt86 {

// Delivers an event through the IVT: a 4-byte vector (IP, then CS) at
// IDTR.base + 4 * vector, #GP when it lies past IDTR.limit; pushes FLAGS,
// CS and IP (words, no error code), clears IF, TF and AC. False with the
// fault of the delivery in `nested` or raised through ctx (a stack fault).
bool deliver_real_mode(SystemContext& ctx, const Event& event, std::optional<Event>& nested, std::string& why);
// iret: pops IP, CS and FLAGS (EIP, CS and EFLAGS with a 32-bit operand
// size, which keeps VM, VIF and VIP); #GP(0) for an IP past CS's limit.
bool real_mode_iret(SystemContext& ctx, unsigned width);
// Far jmp and call to selector:offset (a call pushes CS, then IP or EIP).
bool real_mode_far_jump_or_call(SystemContext& ctx, uint16_t selector, uint32_t offset, bool call, unsigned width,
                                uint32_t return_eip);
// Far ret: pops IP and CS (words or dwords), then releases `release` bytes.
bool real_mode_far_return(SystemContext& ctx, unsigned width, uint32_t release);
// Loads CS in real mode: the selector and base change, the cached limit and
// attributes stay; #GP(0) (nothing changed) for an offset past the limit.
bool load_real_mode_cs(SystemContext& ctx, uint16_t selector, uint32_t offset);

}  // namespace bt86
