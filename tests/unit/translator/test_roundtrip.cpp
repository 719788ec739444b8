// Ident re-encoding (design.md §3): every instruction of ident_corpus.asm,
// translated alone, must come out as the same host instruction with the
// same registers (guest ESP renamed to r8d), no segment prefix, and its
// memory operand on the shadow window. The address-formation code in front
// of it is run on a tiny model machine and must land on the guest's linear
// address, using only lea/mov (guest flags stay live) and leaving every
// guest register as it was.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "bt86/segmentation/cpu_state.h"
#include "host_code.h"
#include "model_machine.h"

using namespace bt86;
using namespace bt86::test;

namespace {

constexpr uint32_t kEip = 0x00100000;

// The guest's own linear address for a memory operand: the oracle.
uint32_t guest_linear(const GuestInsn& g, const ZydisDecodedOperand& m, const uint32_t seg_bases[6]) {
  auto value = [](ZydisRegister r) { return r == ZYDIS_REGISTER_NONE ? 0u : kGuestRegs[index64(r)]; };
  uint32_t ea = value(m.mem.base) + value(m.mem.index) * (m.mem.scale ? m.mem.scale : 1) +
                static_cast<uint32_t>(m.mem.disp.has_displacement ? m.mem.disp.value : 0);
  if (g.info.address_width == 16) ea &= 0xFFFF;
  const ZydisRegister segs[6] = {ZYDIS_REGISTER_ES, ZYDIS_REGISTER_CS, ZYDIS_REGISTER_SS,
                                 ZYDIS_REGISTER_DS, ZYDIS_REGISTER_FS, ZYDIS_REGISTER_GS};
  unsigned seg = 0;
  while (seg < 5 && segs[seg] != m.mem.segment) ++seg;
  return ea + seg_bases[seg];
}

ZydisRegister renamed(ZydisRegister r) {
  if (r == ZYDIS_REGISTER_ESP) return ZYDIS_REGISTER_R8D;
  if (r == ZYDIS_REGISTER_SP) return ZYDIS_REGISTER_R8W;
  return r;
}

bool is_high_byte(ZydisRegister r) { return r >= ZYDIS_REGISTER_AH && r <= ZYDIS_REGISTER_BH; }

constexpr ZyanU64 kAnySegment = ZYDIS_ATTRIB_HAS_SEGMENT_CS | ZYDIS_ATTRIB_HAS_SEGMENT_SS | ZYDIS_ATTRIB_HAS_SEGMENT_DS |
                                ZYDIS_ATTRIB_HAS_SEGMENT_ES | ZYDIS_ATTRIB_HAS_SEGMENT_FS | ZYDIS_ATTRIB_HAS_SEGMENT_GS;

// All the ident properties of one translated instruction.
void check_ident(const Translation& t, const uint32_t seg_bases[6]) {
  const GuestInsn& g = t.guest;
  INFO("guest: " << g.text() << "   [" << g.hex_bytes() << "]\nhost block:\n" << t.listing);
  CHECK(t.helpers.empty());  // no helper call: not "unsupported"
  REQUIRE_FALSE(t.body.empty());
  const ZydisDecodedOperand* gmem = g.memory_operand();
  bool high = false;
  for (unsigned i = 0; i < g.visible(); ++i)
    high |= g.ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER && is_high_byte(g.ops[i].reg.value);
  const bool spill = high && gmem;
  REQUIRE(t.body.size() >= (spill ? 4u : 1u));
  const size_t at = t.body.size() - (spill ? 2 : 1);
  const HostInsn& h = t.body[at];

  ModelMachine m(seg_bases);
  for (size_t i = 0; i < at; ++i) {
    INFO("address formation step " << i);
    CHECK(m.step(t.body[i]));
  }
  CHECK(h.info.mnemonic == g.mnemonic());
  REQUIRE(h.visible() == g.visible());
  CHECK((h.info.attributes & ZYDIS_ATTRIB_HAS_LOCK) == (g.info.attributes & ZYDIS_ATTRIB_HAS_LOCK));
  for (const HostInsn& x : t.body) CHECK((x.info.attributes & kAnySegment) == 0);

  for (unsigned i = 0; i < g.visible(); ++i) {
    const ZydisDecodedOperand &go = g.ops[i], &ho = h.ops[i];
    INFO("operand " << i);
    REQUIRE(ho.type == go.type);
    CHECK(ho.size == go.size);
    if (go.type == ZYDIS_OPERAND_TYPE_REGISTER) {
      CHECK(ho.reg.value == renamed(go.reg.value));
    } else if (go.type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
      uint64_t mask = go.size >= 64 ? ~0ull : (1ull << go.size) - 1;
      CHECK((ho.imm.value.u & mask) == (go.imm.value.u & mask));
    } else if (go.type == ZYDIS_OPERAND_TYPE_MEMORY) {
      if (spill) {
        // AH..BH forbid REX: the window address sits in a borrowed low register.
        CHECK(index64(ho.mem.base) < 8);
        CHECK(ho.mem.base != ZYDIS_REGISTER_RSP);
        CHECK((h.info.attributes & ZYDIS_ATTRIB_HAS_REX) == 0);
        for (unsigned j = 0; j < g.info.operand_count; ++j)
          if (g.ops[j].type == ZYDIS_OPERAND_TYPE_REGISTER && g.ops[j].reg.value != ZYDIS_REGISTER_NONE)
            CHECK(index64(g.ops[j].reg.value) != index64(ho.mem.base));
        CHECK(t.spill_reg == static_cast<int8_t>(index64(ho.mem.base)));
      } else {
        CHECK(ho.mem.base == ZYDIS_REGISTER_R15);
      }
      CHECK(ho.mem.segment != ZYDIS_REGISTER_FS);
      CHECK(ho.mem.segment != ZYDIS_REGISTER_GS);
      CHECK(m.address(ho) - kWindow == guest_linear(g, go, seg_bases));
    }
  }
  if (spill) CHECK(m.step(t.body.back()));  // gives the borrowed register back
  for (unsigned r = 0; r < 8; ++r) CHECK(m.guest(r) == kGuestRegs[r]);  // ESP included, in r8
}

std::vector<uint8_t> corpus() {
  std::ifstream in(BT86_IDENT_CORPUS, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs check_ident on every instruction of the corpus in the given block mode.
unsigned check_corpus(uint32_t block_mode, const uint32_t seg_bases[6]) {
  std::vector<uint8_t> code = corpus();
  OneInsnTranslator tr;
  unsigned count = 0;
  for (size_t off = 0; off < code.size(); ++count) {
    std::optional<GuestInsn> g = decode_guest({code.data() + off, code.size() - off}, kEip, true);
    REQUIRE(g.has_value());
    check_ident(tr.translate({code.data() + off, g->length()}, kEip, block_mode), seg_bases);
    off += g->length();
  }
  return count;
}

}  // namespace

TEST_CASE("roundtrip: the ident corpus re-encodes faithfully in a flat block", "[roundtrip]") {
  // Flat: CS/DS/ES/SS bases are 0 by the block's mode; FS and GS still count.
  const uint32_t bases[6] = {0, 0, 0, 0, 0x12340000, 0x56780000};
  unsigned checked = check_corpus(kFlatMode, bases);
  CHECK(checked >= 100);
}

TEST_CASE("roundtrip: in a non-flat block every segment base enters the address", "[roundtrip]") {
  const uint32_t bases[6] = {0x00010000, 0x00200000, 0x03000000, 0x40000000, 0x12340000, 0x56780000};
  unsigned checked = check_corpus(mode::kCode32 | mode::kProtected, bases);
  CHECK(checked >= 100);
}
