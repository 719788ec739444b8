#include "host_code.h"

#include <map>

#include <catch2/catch.hpp>

#include "bt86/translator/cpu_frame.h"
#include "emit/block_builder.h"
#include "emit/emit.h"

namespace bt86::test {

namespace {
HostInsn decode_one(const uint8_t* p, const uint8_t* end) {
  ZydisDecoder decoder;
  ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  HostInsn h{};
  h.at = p;
  INFO("host code does not decode at " << static_cast<const void*>(p));
  REQUIRE(ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, p, static_cast<ZyanUSize>(end - p), &h.info, h.ops)));
  return h;
}

// Straight-line code in [begin, end).
std::vector<HostInsn> decode_linear(const uint8_t* begin, const uint8_t* end) {
  std::vector<HostInsn> out;
  for (const uint8_t* p = begin; p < end; p += out.back().info.length) out.push_back(decode_one(p, end));
  return out;
}

// Everything reachable from the given entries inside [begin, end), in address
// order. AsmJit appends an address table after the code, so a linear sweep
// would decode data. A helper call returns only when the block goes on.
std::vector<HostInsn> decode_reachable(const uint8_t* begin, const uint8_t* end, std::vector<const uint8_t*> todo,
                                       const uint8_t* helper_thunk, bool helpers_return) {
  std::map<const uint8_t*, HostInsn> seen;
  while (!todo.empty()) {
    const uint8_t* p = todo.back();
    todo.pop_back();
    while (p >= begin && p < end && !seen.count(p)) {
      HostInsn h = decode_one(p, end);
      seen.emplace(p, h);
      p += h.info.length;
      const ZydisMnemonic m = h.info.mnemonic;
      auto target = reinterpret_cast<const uint8_t*>(h.branch_target());
      if (m == ZYDIS_MNEMONIC_RET || m == ZYDIS_MNEMONIC_JMP) {
        todo.push_back(target);
        break;
      }
      if (m == ZYDIS_MNEMONIC_CALL) {
        if (target == helper_thunk && !helpers_return) break;
      } else if (target) {
        todo.push_back(target);  // a conditional branch: both ways
      }
    }
  }
  std::vector<HostInsn> out;
  for (auto& [at, h] : seen) out.push_back(h);
  return out;
}
}  // namespace

uint64_t HostInsn::branch_target() const {
  if (info.operand_count_visible == 0 || ops[0].type != ZYDIS_OPERAND_TYPE_IMMEDIATE || !ops[0].imm.is_relative)
    return 0;
  ZyanU64 target = 0;
  ZydisCalcAbsoluteAddress(&info, &ops[0], reinterpret_cast<uint64_t>(at), &target);
  return target;
}

OneInsnTranslator::OneInsnTranslator() : stubs_(Stubs::generate(cache_)) {}

Translation OneInsnTranslator::translate(std::span<const uint8_t> bytes, uint32_t eip, uint32_t block_mode) {
  std::optional<Insn> insn = decode(bytes, eip, true);
  REQUIRE(insn.has_value());
  auto fresh = std::make_unique<Block>();
  fresh->key = {eip, eip, block_mode};
  fresh->guest_eip = eip;
  BlockBuilder b(stubs_, cache_, std::move(fresh));
  b.begin_instruction(eip);
  ++b.block().instructions;
  Flow flow = emit_instruction(b, *insn);
  if (flow == Flow::kContinue) b.jump_to(insn->next_eip());  // as the engine ends a block
  b.block().guest_end = insn->next_eip();
  std::unique_ptr<Block> block = b.finish(cache_);
  REQUIRE(block);

  Translation t{*insn, block.get(), {}, {}, disassemble_host({block->host, block->host_size})};
  const uint8_t* body_begin = block->host + block->side.front().host_offset;
  const uint8_t* body_end = block->exits.empty() ? block->host + block->host_size : block->exits.front().jmp_site;
  if (flow == Flow::kContinue) {
    t.body = decode_linear(body_begin, body_end);
  } else {
    // Up to the first jump, exit, or the inline indirect-branch lookup
    // (which starts by loading CpuFrame::indirect_table).
    for (const uint8_t* p = body_begin; p < body_end;) {
      HostInsn h = decode_one(p, body_end);
      if (h.info.mnemonic == ZYDIS_MNEMONIC_JMP) break;
      if (h.info.mnemonic == ZYDIS_MNEMONIC_MOV && h.ops[1].type == ZYDIS_OPERAND_TYPE_MEMORY &&
          h.ops[1].mem.base == ZYDIS_REGISTER_R14 &&
          h.ops[1].mem.disp.value == static_cast<int64_t>(offsetof(CpuFrame, indirect_table)))
        break;
      t.body.push_back(h);
      if (h.info.mnemonic == ZYDIS_MNEMONIC_CALL) break;  // a helper that leaves the block
      p += h.info.length;
    }
  }
  std::vector<const uint8_t*> entries = {block->host};
  for (const ExitLink& e : block->exits) entries.push_back(e.stub);
  t.all = decode_reachable(block->host, block->host + block->host_size, entries, stubs_.helper_thunk,
                           flow == Flow::kContinue);
  blocks_.push_back(std::move(block));
  return t;
}

Swept OneInsnTranslator::sweep(const Insn& insn, uint32_t block_mode) {
  for (int attempt = 0;; ++attempt) {
    auto fresh = std::make_unique<Block>();
    fresh->key = {insn.eip, insn.eip, block_mode};
    fresh->guest_eip = insn.eip;
    BlockBuilder b(stubs_, cache_, std::move(fresh));
    b.begin_instruction(insn.eip);
    if (emit_instruction(b, insn) == Flow::kContinue) b.jump_to(insn.next_eip());
    std::unique_ptr<Block> block = b.finish(cache_);
    if (!block) {
      REQUIRE(attempt == 0);
      cache_.flush();  // nothing in it is used again: every sweep drops its block
      continue;
    }
    Swept out;
    for (const HelperSite& site : block->sites) out.helpers.push_back(site.fn);
    const uint8_t* end = block->exits.empty() ? block->host + block->host_size : block->exits.front().jmp_site;
    static const ZydisDecoder host = [] {
      ZydisDecoder d;
      ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
      return d;
    }();
    for (const uint8_t* p = block->host + block->side.front().host_offset; p < end;) {
      ZydisDecoderContext context;
      ZydisDecodedInstruction h;
      if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&host, &context, p, static_cast<ZyanUSize>(end - p), &h))) {
        FAIL("host code does not decode");
      }
      if (h.mnemonic == ZYDIS_MNEMONIC_JMP || h.mnemonic == ZYDIS_MNEMONIC_CALL) break;
      out.body.push_back(h.mnemonic);
      p += h.length;
    }
    return out;
  }
}

}  // namespace bt86::test
