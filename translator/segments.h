// Descriptors, segment loads and control transfers through the GDT/LDT/IDT.
// This is the first, same-privilege subset; the full protection model is
// the segmentation issue's (see docs/ARCHITECTURE.md).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "bt86/segmentation/descriptor.h"
#include "engine.h"
#include "insn.h"

namespace bt86 {


// Reads the descriptor a selector names; raises #GP(selector) if it lies
// outside its table. Returns false if raised.
bool read_descriptor(Engine& e, uint16_t selector, Descriptor& out);
// Loads a data/stack segment register (not CS) with the architecture's
// checks for this subset; raises and returns kExit on failure.
HelperResult load_data_segment(Engine& e, unsigned seg, uint16_t selector);
// Sets the accessed bit of a descriptor being loaded, in the table too.
void mark_accessed(Engine& e, uint16_t selector, Descriptor& d);
// Loads CS and EIP for a far transfer; false after raising on failure. A
// jmp or call (checked by its caller) keeps the CPL; a return (iret, far
// ret) goes to the selector's RPL, which the code segment must allow: a
// non-conforming one's DPL equal to it, a conforming one's not above it.
enum class Transfer { kJumpOrCall, kReturn };
bool far_transfer(Engine& e, uint16_t selector, uint32_t offset, Transfer kind);
// Like read_descriptor, but only answers whether the selector names an
// entry inside its table, without raising (lar, lsl, verr, verw).
bool peek_descriptor(Engine& e, uint16_t selector, Descriptor& out);
// The linear address of `size` bytes at `offset` in segment register seg,
// after the segment's protection checks; false after raising #GP(0) (#SS(0)
// for SS).
bool segment_linear(Engine& e, unsigned seg, uint32_t offset, unsigned size, bool write, uint32_t& linear);
// The same for a memory operand of a helper's instruction.
bool operand_linear(Engine& e, const Insn& insn, const ZydisDecodedOperand& op, unsigned size, bool write,
                    uint32_t& linear);
// Pushes/pops on the guest stack (SS:ESP); `width` 2 or 4 bytes (a popped
// word is zero-extended).
bool push16(Engine& e, uint16_t value);
bool push32(Engine& e, uint32_t value);
bool push_sized(Engine& e, unsigned width, uint32_t value);
bool pop32(Engine& e, uint32_t& value);
bool pop(Engine& e, unsigned width, uint32_t& value);

// Used by Engine::deliver: false with either a nested exception or a reason.
bool deliver_through_idt(Engine& e, const PendingException& event, std::optional<PendingException>& nested,
                         std::string& why);
// The stack pointer for privilege level `cpl` from the current 32-bit TSS.
bool tss_stack(Engine& e, unsigned cpl, uint16_t& ss, uint32_t& esp);

}  // namespace bt86
