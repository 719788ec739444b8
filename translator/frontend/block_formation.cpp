#include "frontend/block_formation.h"

#include <cstring>

#include "emit/block_builder.h"
#include "emit/emit.h"
#include "runtime/helpers.h"

namespace bt86 {

namespace {
// Where the bytes of one instruction come from: up to two physical pages.
struct Fetched {
  uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH] = {};
  size_t len = 0;
  uint32_t second_page = ~0u;  // physical page of the bytes past the first page (RAM)
  bool second_page_faults = false;
  bool second_page_not_ram = false;
};

// String instructions stay native: redirected, a rep would ask the engine
// once per element.
bool adaptable(const Insn& insn) {
  switch (insn.mnemonic()) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD:
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD:
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD:
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSD:
    case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW: case ZYDIS_MNEMONIC_SCASD:
    case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD:
    case ZYDIS_MNEMONIC_OUTSB: case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD: return false;
    default: return true;
  }
}

bool writes_memory(const Insn& insn) {
  for (unsigned i = 0; i < insn.info.operand_count; ++i)
    if (insn.ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY && operand_writes(insn.ops[i])) return true;
  return false;
}
}  // namespace

void BlockFormer::fetch_physical(uint64_t phys, uint8_t* dst, size_t n) {
  if (aspace_.reads_ram(phys)) {
    // SAFETY: RAM ends at a page boundary and the n bytes stay in phys's page.
    std::memcpy(dst, ram_.host(phys), n);
    return;
  }
  // A device answers what it reads; memory nobody backs reads as all ones,
  // so code there is 0xFF bytes (FF FF is #UD), as on a PC.
  for (size_t i = 0; i < n; ++i) dst[i] = static_cast<uint8_t>(mmio_.read(phys + i, 1));
}

std::unique_ptr<Block> BlockFormer::form(uint32_t eip, uint32_t cs_base, uint64_t phys, uint32_t mode) {
  const bool single = mode & mode::kOne;
  const bool user = ((mode >> mode::kCplShift) & 3) == 3;
  auto fresh = std::make_unique<Block>();
  fresh->key = {static_cast<uint32_t>(phys), eip, mode};  // (a non-RAM page's blocks are never cached)
  fresh->guest_eip = eip;
  fresh->phys_pages[0] = static_cast<uint32_t>(phys) & ~0xFFFu;
  BlockBuilder b(stubs_, cache_, std::move(fresh));

  // Pages are those of linear addresses, CS.base + EIP; the block's
  // addresses (its instructions' EIPs, exit targets) are EIPs.
  auto linear = [cs_base](uint32_t pc) { return cs_base + pc; };
  // Instruction bytes at EIP pc, in the page of `phys` (and the next).
  auto fetch = [&](uint32_t pc) {
    Fetched f;
    uint32_t in_page = 4096 - (linear(pc) & 0xFFF);
    size_t n1 = std::min<size_t>(in_page, ZYDIS_MAX_INSTRUCTION_LENGTH);
    fetch_physical((phys & ~uint64_t{0xFFF}) + (linear(pc) & 0xFFF), f.bytes, n1);
    f.len = n1;
    if (n1 < ZYDIS_MAX_INSTRUCTION_LENGTH) {
      Walk w = aspace_.translate(linear(pc) + in_page, Access::kFetch, user);
      if (!w.ok) {
        f.second_page_faults = true;
        return f;
      }
      f.second_page_not_ram = !aspace_.reads_ram(w.phys);
      if (!f.second_page_not_ram) f.second_page = static_cast<uint32_t>(w.phys) & ~0xFFFu;
      size_t n2 = ZYDIS_MAX_INSTRUCTION_LENGTH - n1;
      fetch_physical(w.phys & ~uint64_t{0xFFF}, f.bytes + n1, n2);
      f.len += n2;
    }
    return f;
  };

  uint32_t pc = eip;
  for (unsigned n = 0;; ++n) {
    Fetched f = fetch(pc);
    std::optional<Insn> insn;
    if (f.len) insn = decode({f.bytes, f.len}, pc, mode & mode::kCode32);
    bool straddles = insn && (linear(pc) & 0xFFF) + insn->length() > 4096;
    if (n > 0 && (!insn || straddles) && !single) {
      // Leave undecodable or page-straddling instructions to a block of
      // their own, so faults and page mappings are seen when they run.
      b.jump_to(pc);
      break;
    }
    b.begin_instruction(pc);
    // A debugger's breakpoint: the run ends before the instruction, its
    // fetch faults and its decoding (not in the bounce block completing it);
    // it comes before the guest's own instruction breakpoint.
    if (debug && !(mode & mode::kBounce) && debug->breakpoint_at(linear(pc))) {  // gdb speaks linear addresses
      Insn at{};
      at.eip = pc;
      b.call_helper(helper_debugger_breakpoint, "debugger_breakpoint", insn ? *insn : at);
    }
    // An instruction breakpoint: #DB before the instruction, fetch faults
    // and decoding (not again when a bounce block completes it).
    if (!(mode & mode::kBounce) && breakpoints_.armed_at(linear(pc))) {
      Insn at{};
      at.eip = pc;
      b.call_helper(helper_breakpoint, "breakpoint", insn ? *insn : at);
    }
    if (!insn) {
      Insn bad{};
      bad.eip = pc;
      std::memcpy(bad.bytes, f.bytes, sizeof bad.bytes);
      bad.info.length = static_cast<uint8_t>(std::min<size_t>(f.len, 4));
      bad.info.mnemonic = ZYDIS_MNEMONIC_INVALID;
      check_target(b, bad, pc);  // bytes past the CS limit: #GP(0), not #UD
      if (f.second_page_faults) {
        // Depends on a mapping, not on code bytes: never cache it.
        b.block().key.mode |= mode::kSingle;
        b.call_helper(helper_fetch_fault, "fetch_fault", bad);
      }
      else b.call_helper(helper_undefined, "undefined", bad);
      pc += 1;
      break;
    }
    if (straddles) b.block().phys_pages[1] = f.second_page;
    // Bytes from a device or open bus are not write-tracked: never cached.
    if (straddles && f.second_page_not_ram) b.block().key.mode |= mode::kSingle;
    ++b.block().instructions;
    const uint64_t key = AdaptiveSites::key(static_cast<uint32_t>(phys & ~uint64_t{0xFFF}) + (linear(pc) & 0xFFF), mode);
    const bool redirected = adaptive && !(mode & mode::kBounce) && adaptive->adaptive(key) && adaptable(*insn);
    b.set_adaptive(redirected ? key : 0);
    Flow flow = emit_instruction(b, *insn);
    b.set_adaptive(0);
    pc = insn->next_eip();
    if (flow == Flow::kEndBlock) break;
    if (single || (redirected && writes_memory(*insn)) || straddles || n + 1 >= kMaxInstructions ||
        linear(pc) / CodeCache::kPage != linear(eip) / CodeCache::kPage) {
      b.jump_to(pc);
      break;
    }
  }
  b.block().guest_end = pc;
  return b.finish(cache_);  // nullptr when the cache is full
}

}  // namespace bt86
