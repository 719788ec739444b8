// What a host fault in translated code means for the guest: a safepoint
// stop, a write to translated code, an MMIO access, or a guest exception.
#include <signal.h>

#include <cstring>

#include <fmt/format.h>

#include "engine.h"
#include "block_builder.h"
#include "emit.h"
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
    safepoint_hit_ = true;
    return nullptr;
  }
  if (f.signo == SIGFPE) {
    if (f.code == FPE_INTDIV || f.code == FPE_INTOVF) {
      ++stats.host_faults["divide_error"];
      raise(0);  // #DE
      return nullptr;
    }
    // An unmasked floating-point exception: SSE reports #XM at the faulting
    // instruction (#UD without CR4.OSXMMEXCPT); a pending x87 one is #MF at
    // the next waiting x87 or MMX instruction, which is where the host
    // stopped too. The host CPU's vector says which it was.
    ++stats.host_faults["fp_exception"];
    if (f.trapno == 16) raise(16);
    else raise(cpu.cr4 & (1u << 10) ? 19 : 6);
    return nullptr;
  }
  if (f.signo == SIGBUS && f.code == BUS_ADRALN) {
    // Host RFLAGS.AC was set for this guest code (CR0.AM, EFLAGS.AC, CPL 3):
    // the host CPU found the misaligned access itself.
    ++stats.host_faults["alignment_check"];
    raise(17, 0u);  // #AC(0)
    return nullptr;
  }
  if (f.signo == SIGILL) {
    ++stats.host_faults["invalid_opcode"];
    raise(6);
    return nullptr;
  }
  if (f.signo == SIGSEGV && f.code == SI_KERNEL) {
    // A general-protection fault of an instruction run natively (one the
    // host refuses at ring 3 that we did not know to emulate): the guest
    // sees #GP(0) at it, as a CPU refusing it would deliver.
    ++stats.host_faults["host_gp"];
    raise(13, 0u);
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
      if (fill.table_write) ++table_writes_;
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
      return emulate_mmio();
  }
  return nullptr;
}

bool Engine::try_hidden_fault(uintptr_t host_addr, bool write) {
  bool user = false;
  const ShadowWindow* window = aspace_.window_of(host_addr, user);
  if (!window || window->classify(host_addr) != ShadowWindow::Region::kWindow) return false;
  AddressSpace::Fill fill = aspace_.fill(window->linear(host_addr), write, user);
  if (fill.outcome != AddressSpace::Outcome::kMapped) return false;
  ++(fill.table_write ? table_writes_ : fill.dirty_upgrade ? dirty_upgrades_ : hidden_fills_);
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

namespace {
// Device accesses of at most 4 bytes each, in order, for a scratch range.
template <typename Fn>
void in_device_chunks(unsigned size, Fn fn) {
  for (unsigned off = 0; off < size;) {
    unsigned n = size - off >= 4 ? 4 : size - off >= 2 ? 2 : 1;
    fn(off, n);
    off += n;
  }
}
}  // namespace

// An access to a non-RAM address goes to the MMIO bus. The instruction runs
// for real, as a one-instruction block whose memory operand is redirected
// to a scratch buffer: the device is read into it before and written from
// it after, so every instruction form (ALU, SSE, push/pop ...) works with
// its exact flags. String instructions are carried out here.
Block* Engine::emulate_mmio() {
  uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH] = {};
  std::optional<Insn> insn;
  if (read_linear(cpu.eip, bytes, sizeof bytes)) insn = decode({bytes, sizeof bytes}, cpu.eip, cpu.code32());
  if (!insn) {
    die(fmt::format("MMIO access by an undecodable instruction at EIP={:#010x}", cpu.eip));
    return nullptr;
  }
  const ZydisDecodedOperand* mem = insn->memory_operand();
  if (!mem) {
    if (!emulate_string_mmio(*insn)) die(fmt::format("unsupported MMIO access by '{}' at EIP={:#010x}", insn->text(), cpu.eip));
    return nullptr;
  }
  const bool reads = mem->actions & (ZYDIS_OPERAND_ACTION_READ | ZYDIS_OPERAND_ACTION_CONDREAD);
  const bool writes = mem->actions & (ZYDIS_OPERAND_ACTION_WRITE | ZYDIS_OPERAND_ACTION_CONDWRITE);
  const unsigned size = mem->size / 8;
  uint32_t linear = effective_linear(cpu, insn->info, *mem);
  Walk w = aspace_.translate(linear, writes ? Access::kWrite : Access::kRead, user_mode());
  if (!w.ok) {
    cpu.cr2 = linear;
    raise(14, w.error_code);
    return nullptr;
  }
  if (aspace_.is_ram(w.phys) || size == 0 || size > sizeof mmio_scratch_ ||
      (w.phys & 0xFFF) + size > 4096) {
    die(fmt::format("unsupported MMIO access by '{}' at EIP={:#010x} (a stack or page-crossing device access)",
                    insn->text(), cpu.eip));
    return nullptr;
  }
  std::memset(mmio_scratch_, 0, sizeof mmio_scratch_);
  if (reads)
    in_device_chunks(size, [&](unsigned off, unsigned n) {
      uint32_t v = mmio.read(w.phys + off, n);
      std::memcpy(mmio_scratch_ + off, &v, n);
    });
  mmio_bounce_ = MmioBounce{w.phys, size, writes};

  uint32_t mode = current_mode() | mode::kSingle;
  auto fresh = std::make_unique<Block>();
  fresh->key = {static_cast<uint32_t>(w.phys), cpu.eip, mode};
  fresh->guest_eip = cpu.eip;
  BlockBuilder b(stubs_, cache_, std::move(fresh));
  b.set_mmio_offset(reinterpret_cast<intptr_t>(mmio_scratch_) - reinterpret_cast<intptr_t>(aspace_.base(user_mode())));
  b.begin_instruction(cpu.eip);
  Emitter special = special_emitter(insn->mnemonic());
  if ((special ? special(b, *insn) : emit_ident(b, *insn)) == Flow::kContinue) b.jump_to(insn->next_eip());
  b.block().instructions = 1;
  b.block().guest_end = insn->next_eip();
  std::unique_ptr<Block> block = b.finish(cache_);
  if (!block) {
    cache_.flush();
    ++flush_generation_;
    reset_indirect_tables();
    die("translation cache full while emulating MMIO");
    return nullptr;
  }
  Block* raw = block.get();
  cache_.adopt_single(std::move(block));
  return raw;
}

// After the bounce block ran: a completed store reaches the device.
void Engine::finish_mmio_bounce(bool completed) {
  if (!mmio_bounce_) return;
  MmioBounce bounce = *mmio_bounce_;
  mmio_bounce_.reset();
  if (!completed || !bounce.writes) return;
  in_device_chunks(bounce.size, [&](unsigned off, unsigned n) {
    uint32_t v = 0;
    std::memcpy(&v, mmio_scratch_ + off, n);
    mmio.write(bounce.phys + off, n, v);
  });
}

// movs/stos/lods (with rep) touching a device: element by element through
// the C++ accessors, which reach the bus for non-RAM pages; a long rep stops
// between elements as rep ins/outs do (string_loop_must_yield).
bool Engine::emulate_string_mmio(const Insn& insn) {
  const ZydisMnemonic m = insn.mnemonic();
  const bool movs = m == ZYDIS_MNEMONIC_MOVSB || m == ZYDIS_MNEMONIC_MOVSW || m == ZYDIS_MNEMONIC_MOVSD;
  const bool stos = m == ZYDIS_MNEMONIC_STOSB || m == ZYDIS_MNEMONIC_STOSW || m == ZYDIS_MNEMONIC_STOSD;
  const bool lods = m == ZYDIS_MNEMONIC_LODSB || m == ZYDIS_MNEMONIC_LODSW || m == ZYDIS_MNEMONIC_LODSD;
  if ((!movs && !stos && !lods) || insn.info.address_width != 32) return false;
  const bool rep = insn.info.attributes & ZYDIS_ATTRIB_HAS_REP;
  const unsigned width = insn.info.operand_width / 8;
  const auto step = static_cast<uint32_t>(cpu.string_stride * static_cast<int32_t>(width));
  unsigned src_seg = kDs;
  for (unsigned i = 0; i < insn.info.operand_count; ++i)
    if (insn.ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY && insn.ops[i].mem.base == ZYDIS_REGISTER_ESI)
      src_seg = static_cast<unsigned>(segment_of(insn.ops[i].mem.segment));
  for (unsigned done = 0; !rep || cpu.gpr[kEcx]; ++done) {
    // Stopping leaves cpu.eip at the instruction: run again, it faults here again.
    if (done && string_loop_must_yield(done)) return true;
    uint32_t v = cpu.gpr[kEax];
    if ((movs || lods) && !read_linear(cpu.seg[src_seg].base + cpu.gpr[kEsi], &v, width)) return true;
    if ((movs || stos) && !write_linear(cpu.seg[kEs].base + cpu.gpr[kEdi], &v, width)) return true;
    if (lods) write_register(cpu, width == 1 ? ZYDIS_REGISTER_AL : width == 2 ? ZYDIS_REGISTER_AX : ZYDIS_REGISTER_EAX, v);
    if (movs || lods) cpu.gpr[kEsi] += step;
    if (movs || stos) cpu.gpr[kEdi] += step;
    if (!rep) break;
    --cpu.gpr[kEcx];
  }
  cpu.eip = insn.next_eip();
  return true;
}

}  // namespace bt86
