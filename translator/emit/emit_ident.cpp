// Ident translation: the guest instruction re-encoded for 64-bit mode by
// Zydis's encoder, with the same registers (ESP renamed to r8d), segment
// prefixes stripped, and its memory operand moved to [window + linear].
#include <array>

#include "emit/emit.h"
#include "emit/host_regs.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;

namespace {

ZydisRegister zydis64(const Gp& r) { return static_cast<ZydisRegister>(ZYDIS_REGISTER_RAX + r.id()); }

// Guest ESP lives in r8d (esp32), unless a borrowed register stands in for it.
ZydisRegister rename(ZydisRegister r, ZydisRegister esp32) {
  if (r == ZYDIS_REGISTER_ESP) return esp32;
  if (r == ZYDIS_REGISTER_SP) return static_cast<ZydisRegister>(esp32 - ZYDIS_REGISTER_EAX + ZYDIS_REGISTER_AX);
  return r;
}

bool is_high_byte(ZydisRegister r) { return r >= ZYDIS_REGISTER_AH && r <= ZYDIS_REGISTER_BH; }

// The request for insn with its memory operand at [mem_base + mem_index].
bool build_request(const Insn& insn, ZydisRegister mem_base, ZydisRegister mem_index, ZydisEncoderRequest& req,
                   ZydisRegister esp32 = ZYDIS_REGISTER_R8D) {
  if (ZYAN_FAILED(ZydisEncoderDecodedInstructionToEncoderRequest(&insn.info, insn.ops, insn.visible(), &req)))
    return false;
  req.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
  req.prefixes &= ~(ZYDIS_ATTRIB_HAS_SEGMENT_CS | ZYDIS_ATTRIB_HAS_SEGMENT_SS | ZYDIS_ATTRIB_HAS_SEGMENT_DS |
                    ZYDIS_ATTRIB_HAS_SEGMENT_ES | ZYDIS_ATTRIB_HAS_SEGMENT_FS | ZYDIS_ATTRIB_HAS_SEGMENT_GS);
  req.address_size_hint = ZYDIS_ADDRESS_SIZE_HINT_NONE;
  for (unsigned i = 0; i < req.operand_count; ++i) {
    ZydisEncoderOperand& op = req.operands[i];
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
      op.reg.value = rename(op.reg.value, esp32);
    } else if (op.type == ZYDIS_OPERAND_TYPE_MEMORY) {
      op.mem.base = mem_base;
      op.mem.index = mem_index;
      op.mem.scale = mem_index == ZYDIS_REGISTER_NONE ? 0 : 1;
      op.mem.displacement = 0;
    }
  }
  return true;
}

bool encode_into(BlockBuilder& b, const ZydisEncoderRequest& req) {
  uint8_t buf[ZYDIS_MAX_INSTRUCTION_LENGTH];
  ZyanUSize len = sizeof buf;
  if (ZYAN_FAILED(ZydisEncoderEncodeInstruction(&req, buf, &len))) return false;
  b.a().embed(buf, len);
  return true;
}

// A low register (encodable without REX) that insn does not use.
int free_low_register(const Insn& insn) {
  std::array<bool, 8> used{};
  for (unsigned i = 0; i < insn.info.operand_count; ++i) {
    const ZydisDecodedOperand& op = insn.ops[i];
    auto mark = [&](ZydisRegister r) {
      int g = guest_gpr_of(ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LEGACY_32, r));
      if (g >= 0) used[g] = true;
    };
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) mark(op.reg.value);
    if (op.type == ZYDIS_OPERAND_TYPE_MEMORY) { mark(op.mem.base); mark(op.mem.index); }
  }
  for (int g : {kEbx, kEbp, kEsi, kEdi, kEdx, kEcx, kEax})
    if (!used[g]) return g;
  return -1;
}

// bt/bts/btr/btc with a register bit offset in a bounce block: natively the
// offset reaches up to 256 MiB around the operand, past any redirected
// bytes, so the element it selects is formed here, with the 32-bit wrap:
// operand + (offset SAR 5) * 4 (SAR 4, * 2 for 16-bit operands), and the
// instruction runs on it with the offset's low 5 (4) bits in r10 (SDM vol.
// 2, BT). sar and and need the host flags: pushfq/popfq around them.
Flow emit_bit_test_bounced(BlockBuilder& b, const Insn& insn, const ZydisDecodedOperand& mem) {
  Assembler& a = b.a();
  const unsigned size = mem.size / 8;
  const Gp bit_offset = hostreg::guest32(static_cast<unsigned>(guest_gpr_of(insn.ops[1].reg.value)));
  Gp addr = form_address(b, insn, mem, hostreg::kAddr, false);
  a.pushfq();
  if (size == 2) a.movsx(r10d, bit_offset.r16());
  else a.mov(r10d, bit_offset);
  a.sar(r10d, size == 2 ? 4 : 5);
  a.lea(addr.r32(), ptr(addr, r10, size == 2 ? 1 : 2));
  a.mov(r10d, bit_offset);
  a.and_(r10d, size == 2 ? 15 : 31);
  a.popfq();
  redirect_access(b, insn, addr, size, operand_reads(mem), operand_writes(mem));
  ZydisEncoderRequest req;
  if (!build_request(insn, ZYDIS_REGISTER_R15, zydis64(addr), req)) return emit_unsupported(b, insn);
  req.operands[1].reg.value = size == 2 ? ZYDIS_REGISTER_R10W : ZYDIS_REGISTER_R10D;
  if (!encode_into(b, req)) return emit_unsupported(b, insn);
  if (operand_writes(mem)) commit_access(b, insn);
  return Flow::kContinue;
}

}  // namespace

const char* ident_refusal(const Insn& insn) {
  if (insn.info.attributes & ZYDIS_ATTRIB_IS_PRIVILEGED) return "privileged";
  for (unsigned i = 0; i < insn.info.operand_count; ++i) {
    const ZydisDecodedOperand& op = insn.ops[i];
    bool hidden = op.visibility != ZYDIS_OPERAND_VISIBILITY_EXPLICIT;
    if (op.type == ZYDIS_OPERAND_TYPE_POINTER) return "far pointer";
    if (op.type == ZYDIS_OPERAND_TYPE_MEMORY && hidden) return "implicit memory operand";
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
      switch (ZydisRegisterGetClass(op.reg.value)) {
        case ZYDIS_REGCLASS_SEGMENT: return "segment register";
        case ZYDIS_REGCLASS_CONTROL: case ZYDIS_REGCLASS_DEBUG: case ZYDIS_REGCLASS_TEST:
        case ZYDIS_REGCLASS_TABLE: return "system register";
        case ZYDIS_REGCLASS_IP: return "changes EIP";
        default: break;
      }
      if (hidden && (op.reg.value == ZYDIS_REGISTER_ESP || op.reg.value == ZYDIS_REGISTER_SP))
        return "implicit stack";
    }
  }
  return nullptr;
}

Flow emit_ident(BlockBuilder& b, const Insn& insn) {
  if (ident_refusal(insn)) return emit_unsupported(b, insn);
  const ZydisDecodedOperand* mem = insn.memory_operand();
  bool has_high_byte = false;
  for (unsigned i = 0; i < insn.visible(); ++i)
    if (insn.ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER && is_high_byte(insn.ops[i].reg.value)) has_high_byte = true;

  ZydisEncoderRequest req;
  if (!mem) {
    if (build_request(insn, ZYDIS_REGISTER_NONE, ZYDIS_REGISTER_NONE, req) && encode_into(b, req))
      return Flow::kContinue;
    if (!has_high_byte) return emit_unsupported(b, insn);  // else ESP with AH..BH: borrow below
  }

  // In a bounce block the operand's bytes go where the engine says (a
  // device, open bus, the wrap); a write reaches them after the instruction.
  const unsigned size = mem ? mem->size / 8 : 0;
  if (mem && b.redirecting() && is_bit_test_by_register(insn)) return emit_bit_test_bounced(b, insn, *mem);
  if (mem && !has_high_byte) {
    Gp addr = form_address(b, insn, *mem, hostreg::kAddr);
    redirect_access(b, insn, addr, size, operand_reads(*mem), operand_writes(*mem));
    if (!build_request(insn, ZYDIS_REGISTER_R15, zydis64(addr), req) || !encode_into(b, req))
      return emit_unsupported(b, insn);
    if (operand_writes(*mem)) commit_access(b, insn);
    return Flow::kContinue;
  }

  // AH..BH cannot be encoded together with a REX prefix, which r15/r9 need,
  // and r8d (guest ESP, as in movzx esp, dh) needs: borrow a low register
  // for the host address or for ESP while the instruction runs (a fault in
  // between restores it from frame.spill).
  int spill = free_low_register(insn);
  if (spill < 0) return emit_unsupported(b, insn);
  Gp host = hostreg::guest64(spill);
  Assembler& a = b.a();
  if (mem) {
    Gp addr = form_address(b, insn, *mem, hostreg::kAddr, false);
    redirect_access(b, insn, addr, size, operand_reads(*mem), operand_writes(*mem));
    a.mov(hostreg::cpu_spill(), host);
    b.mark_spill(static_cast<int8_t>(spill));
    a.lea(host, ptr(hostreg::kWindow, addr));
    if (!build_request(insn, zydis64(host), ZYDIS_REGISTER_NONE, req) || !encode_into(b, req))
      return emit_unsupported(b, insn);
  } else {
    a.mov(hostreg::cpu_spill(), host);
    b.mark_spill(static_cast<int8_t>(spill));
    a.mov(host.r32(), hostreg::kEsp);
    auto esp32 = static_cast<ZydisRegister>(ZYDIS_REGISTER_EAX + spill);
    if (!build_request(insn, ZYDIS_REGISTER_NONE, ZYDIS_REGISTER_NONE, req, esp32) || !encode_into(b, req))
      return emit_unsupported(b, insn);
    a.mov(hostreg::kEsp, host.r32());
  }
  a.mov(host, hostreg::cpu_spill());
  if (mem && operand_writes(*mem)) commit_access(b, insn);
  return Flow::kContinue;
}

// maskmovq and maskmovdqu store through DS:EDI (DI with a 16-bit address
// size; another segment by override), which the host instruction takes
// from rdi: rdi holds the host address while it runs, guest EDI waits in
// frame.spill (restored from there if the store faults).
Flow emit_maskmov(BlockBuilder& b, const Insn& insn) {
  const ZydisDecodedOperand* mem = nullptr;
  for (unsigned i = 0; i < insn.info.operand_count; ++i)
    if (insn.ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY) mem = &insn.ops[i];
  ZydisEncoderRequest req;
  if (!mem || !build_request(insn, ZYDIS_REGISTER_NONE, ZYDIS_REGISTER_NONE, req)) return emit_unsupported(b, insn);
  Gp addr = form_address(b, insn, *mem, hostreg::kAddr, false);
  // In a bounce block the whole operand is read and written back, so that
  // the bytes the mask leaves alone keep their value.
  const unsigned size = mem->size / 8;
  redirect_access(b, insn, addr, size, true, true);
  Assembler& a = b.a();
  a.mov(hostreg::cpu_spill(), rdi);
  b.mark_spill(kEdi);
  a.lea(rdi, ptr(hostreg::kWindow, addr));
  if (!encode_into(b, req)) return emit_unsupported(b, insn);
  a.mov(rdi, hostreg::cpu_spill());
  commit_access(b, insn);
  return Flow::kContinue;
}

}  // namespace bt86
