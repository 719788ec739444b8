#include "host_code.h"

#include <cstring>
#include <map>

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "bt86/segmentation/cpu_model.h"
#include "bt86/segmentation/disassemble.h"
#include "bt86/translator/cpu_frame.h"

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

std::string GuestInsn::text() const { return format_guest_instruction(info, ops, eip); }
std::string GuestInsn::hex_bytes() const { return hex_string({bytes, info.length}); }

std::optional<GuestInsn> decode_guest(std::span<const uint8_t> code, uint32_t eip, bool code32) {
  GuestInsn g{};
  g.eip = eip;
  if (ZYAN_FAILED(ZydisDecoderDecodeFull(&guest_decoder(code32), code.data(), code.size(), &g.info, g.ops)))
    return std::nullopt;
  std::memcpy(g.bytes, code.data(), g.info.length);
  return g;
}

namespace {
GuestInsn guest_of(const testing::TranslatedInstruction& t, std::span<const uint8_t> bytes) {
  GuestInsn g{};
  g.info = t.guest;
  std::memcpy(g.ops, t.guest_ops, sizeof g.ops);
  std::memcpy(g.bytes, bytes.data(), t.guest.length);
  g.eip = t.eip;
  return g;
}

// Host code as text, one instruction a line with its offset in the block.
std::string listing(const uint8_t* code, size_t size) {
  ZydisDecoder decoder;
  ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  ZydisFormatter formatter;
  ZydisFormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  std::string out;
  ZydisDecodedInstruction info;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  for (size_t off = 0; off < size; off += info.length) {
    if (ZYAN_FAILED(ZydisDecoderDecodeFull(&decoder, code + off, size - off, &info, ops))) {
      out += fmt::format("{:4x}: <bad>\n", off);
      break;
    }
    char buf[256];
    ZydisFormatterFormatInstruction(&formatter, &info, ops, info.operand_count_visible, buf, sizeof buf, off, nullptr);
    out += fmt::format("{:4x}: {}\n", off, buf);
  }
  return out;
}
}  // namespace

Translation OneInsnTranslator::translate(std::span<const uint8_t> bytes, uint32_t eip, uint32_t block_mode) {
  std::optional<testing::TranslatedInstruction> tr = translator_.translate(bytes, eip, block_mode);
  REQUIRE(tr.has_value());
  const uint8_t* host = tr->host;
  Translation t{guest_of(*tr, bytes), tr->helper_causes, tr->spill_reg, {}, {}, listing(host, tr->size)};
  const uint8_t* body_begin = host + tr->code_offset;
  const uint8_t* body_end = tr->first_exit_jump ? tr->first_exit_jump : host + tr->size;
  if (!tr->ends_block) {
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
  std::vector<const uint8_t*> entries = {host};
  for (const uint8_t* stub : tr->exit_stubs) entries.push_back(stub);
  t.all = decode_reachable(host, host + tr->size, entries, translator_.helper_thunk(), !tr->ends_block);
  return t;
}

Swept OneInsnTranslator::sweep(const GuestInsn& insn, uint32_t block_mode) {
  std::optional<testing::TranslatedInstruction> tr =
      translator_.sweep({insn.bytes, insn.info.length}, insn.eip, block_mode);
  REQUIRE(tr.has_value());
  Swept out{tr->helper_causes, {}};
  const uint8_t* end = tr->first_exit_jump ? tr->first_exit_jump : tr->host + tr->size;
  static const ZydisDecoder host = [] {
    ZydisDecoder d;
    ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    return d;
  }();
  for (const uint8_t* p = tr->host + tr->code_offset; p < end;) {
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

}  // namespace bt86::test
