// What a host fault in translated code means for the guest: a safepoint
// stop, a write to translated code, an MMIO access, or a guest exception.
#include <signal.h>

#include <fmt/format.h>

#include "engine.h"
#include "guest_operands.h"

namespace bt86 {

Block* Engine::handle_host_fault() {
  const HostFault f = fault_;
  Block* block = cache_.find_by_host(reinterpret_cast<const uint8_t*>(f.pc));
  const SideEntry* entry = block ? block->entry_for(reinterpret_cast<const uint8_t*>(f.pc)) : nullptr;
  if (!entry) {
    die(fmt::format("internal error: fault at host {:#x} maps to no guest instruction", f.pc));
    return nullptr;
  }
  cpu.eip = entry->guest_eip;
  if (entry->spill_reg >= 0) cpu.gpr[entry->spill_reg] = static_cast<uint32_t>(cpu.spill);

  if (f.signo == SIGSEGV && f.addr >= reinterpret_cast<uintptr_t>(cache_.poll_page()) &&
      f.addr < reinterpret_cast<uintptr_t>(cache_.poll_page()) + CodeCache::kPage) {
    ++stats.host_faults["safepoint"];
    return nullptr;
  }
  if (f.signo == SIGFPE) {
    ++stats.host_faults["divide_error"];
    raise(0);
    return nullptr;
  }
  if (f.signo == SIGILL) {
    ++stats.host_faults["invalid_opcode"];
    raise(6);
    return nullptr;
  }
  bool user = false;
  const ShadowWindow* window = aspace_.window_of(f.addr, user);
  if (!window) {
    die(fmt::format("internal error: host fault (signal {}) at {:#x} outside the guest window", f.signo, f.addr));
    return nullptr;
  }
  if (window->classify(f.addr) != ShadowWindow::Region::kWindow) {
    ++stats.host_faults["wraparound"];
    die(fmt::format("unsupported: access wrapping around the 4 GiB boundary at EIP={:#010x}", cpu.eip));
    return nullptr;
  }
  uint32_t linear = window->linear(f.addr);
  AddressSpace::Fill fill = aspace_.fill(linear, f.write, user);
  switch (fill.outcome) {
    case AddressSpace::Outcome::kMapped:  // resolved meanwhile: run the instruction again
      return nullptr;
    case AddressSpace::Outcome::kPageFault:
      ++stats.host_faults["guest_page_fault"];
      cpu.cr2 = linear;
      raise(14, fill.error_code);
      return nullptr;
    case AddressSpace::Outcome::kCodeWrite:
      ++stats.host_faults["code_write"];
      return handle_code_write(static_cast<uint32_t>(fill.phys));
    case AddressSpace::Outcome::kMmio:
      ++stats.host_faults["mmio"];
      emulate_mmio();
      return nullptr;
  }
  return nullptr;
}

bool Engine::try_hidden_fault(uintptr_t host_addr, bool write) {
  bool user = false;
  const ShadowWindow* window = aspace_.window_of(host_addr, user);
  if (!window || window->classify(host_addr) != ShadowWindow::Region::kWindow) return false;
  AddressSpace::Fill fill = aspace_.fill(window->linear(host_addr), write, user);
  if (fill.outcome != AddressSpace::Outcome::kMapped) return false;
  ++(fill.dirty_upgrade ? dirty_upgrades_ : hidden_fills_);
  return true;
}

// A guest store hit a page holding translations: drop them, let the store
// happen through a one-instruction block (which does not protect its page),
// and protect the page again when a block from it is translated next.
Block* Engine::handle_code_write(uint32_t phys) {
  invalidate_code(phys);
  forget_invalidated();
  return lookup_or_translate(cpu.eip, current_mode() | mode::kSingle);
}

// Loads and stores to non-RAM addresses go to the MMIO bus. The simple
// move forms are carried out here; the rest is named and ends the run.
void Engine::emulate_mmio() {
  uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH] = {};
  std::optional<Insn> insn;
  if (read_linear(cpu.eip, bytes, sizeof bytes)) insn = decode({bytes, sizeof bytes}, cpu.eip, cpu.code32());
  if (!insn) {
    die(fmt::format("MMIO access by an undecodable instruction at EIP={:#010x}", cpu.eip));
    return;
  }
  const ZydisDecodedOperand* mem = insn->memory_operand();
  ZydisMnemonic m = insn->mnemonic();
  bool movish = m == ZYDIS_MNEMONIC_MOV || m == ZYDIS_MNEMONIC_MOVZX || m == ZYDIS_MNEMONIC_MOVSX;
  if (!mem || !movish || insn->visible() != 2) {
    die(fmt::format("unsupported MMIO access by '{}' at EIP={:#010x}", insn->text(), cpu.eip));
    return;
  }
  uint32_t linear = effective_linear(cpu, insn->info, *mem);
  bool store = mem == &insn->ops[0];
  Walk w = aspace_.translate(linear, store ? Access::kWrite : Access::kRead, user_mode());
  if (!w.ok) {
    cpu.cr2 = linear;
    raise(14, w.error_code);
    return;
  }
  uint64_t addr = w.phys;
  unsigned size = mem->size / 8;
  if (store) {
    uint32_t value = insn->ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE
                         ? static_cast<uint32_t>(insn->ops[1].imm.value.u)
                         : read_register(cpu, insn->ops[1].reg.value);
    mmio.write(addr, size, value);
  } else {
    uint32_t value = mmio.read(addr, size);
    if (m == ZYDIS_MNEMONIC_MOVSX)
      value = size == 1 ? static_cast<uint32_t>(static_cast<int8_t>(value)) : static_cast<uint32_t>(static_cast<int16_t>(value));
    write_register(cpu, insn->ops[0].reg.value, value);
  }
  cpu.eip = insn->next_eip();
}

}  // namespace bt86
