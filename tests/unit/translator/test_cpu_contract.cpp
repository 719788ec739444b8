// CPUID is the contract (segmentation/cpu_model.h): every encoding of every
// instruction whose extension CPUID announces translates to code that runs
// it (copied, expanded, or carried out by a helper), and every encoding of
// every other instruction to #UD. The sweep walks the opcode maps as the
// guest decodes them (one byte, 0F, 0F 38, 0F 3A, 3DNow!) under each legacy
// prefix and every ModRM byte, and samples VEX, EVEX and XOP.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bt86/segmentation/cpu_model.h"
#include "bt86/translator/testing.h"
#include "host_code.h"

using namespace bt86;
using namespace bt86::test;

namespace {

constexpr uint32_t kEip = 0x00100000;
using Bytes = std::vector<uint8_t>;

// Every candidate encoding: prefix + map + opcode + ModRM + tail (the SIB,
// displacement and immediate bytes, if the instruction has any).
template <class Visit>
void for_each_encoding(Visit&& visit) {
  const Bytes prefixes[] = {{}, {0x66}, {0xF2}, {0xF3}, {0x67}, {0xF0}, {0x66, 0xF2}, {0x66, 0xF3}, {0x64}};
  const Bytes maps[] = {{}, {0x0F}, {0x0F, 0x38}, {0x0F, 0x3A}};
  const Bytes tails[] = {{0x24, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08, 0x09},
                         {0x4B, 0xF0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x00}};
  Bytes b;
  for (const Bytes& p : prefixes)
    for (const Bytes& m : maps)
      for (unsigned op = 0; op < 256; ++op)
        for (unsigned modrm = 0; modrm < 256; ++modrm)
          for (const Bytes& tail : tails) {
            b = p;
            b.insert(b.end(), m.begin(), m.end());
            b.push_back(static_cast<uint8_t>(op));
            b.push_back(static_cast<uint8_t>(modrm));
            b.insert(b.end(), tail.begin(), tail.end());
            visit(b);
            if ((modrm & 7) != 4 || modrm >= 0xC0) break;  // the second tail only varies the SIB byte
          }
  // 3DNow!: 0F 0F ModRM imm8 (the opcode is the last byte).
  for (unsigned suffix = 0; suffix < 256; ++suffix) visit(Bytes{0x0F, 0x0F, 0xC1, static_cast<uint8_t>(suffix)});
  // VEX (C5, C4), EVEX (62) and XOP (8F) with a few payloads, every opcode.
  const Bytes heads[] = {{0xC5, 0xF8}, {0xC5, 0xF9}, {0xC5, 0xFA}, {0xC5, 0xFB}, {0xC5, 0xFD},
                         {0xC4, 0xE1, 0x79}, {0xC4, 0xE2, 0x79}, {0xC4, 0xE3, 0x79}, {0xC4, 0xE2, 0xF9},
                         {0xC4, 0xE2, 0x7D}, {0x62, 0xF1, 0x7C, 0x48}, {0x62, 0xF2, 0x7D, 0x08},
                         {0x62, 0xF3, 0xFD, 0x28}, {0x8F, 0xE8, 0x78}, {0x8F, 0xE9, 0x78}, {0x8F, 0xEA, 0x78}};
  for (const Bytes& h : heads)
    for (unsigned op = 0; op < 256; ++op)
      for (uint8_t modrm : {0xC1, 0x01, 0x44}) {
        b = h;
        b.push_back(static_cast<uint8_t>(op));
        b.push_back(modrm);
        b.insert(b.end(), {0x24, 0x11, 0x22, 0x33, 0x44, 0x55});
        visit(b);
      }
}

bool calls(const Swept& s, const char* cause) {
  return std::find(s.helpers.begin(), s.helpers.end(), cause) != s.helpers.end();
}

struct Findings {
  std::map<std::string, std::pair<unsigned, std::string>> by_kind;  // kind -> count, first example
  void add(const std::string& kind, const GuestInsn& insn) {
    auto& [n, example] = by_kind[kind];
    if (n++ == 0) example = fmt::format("{} ({})", insn.text(), insn.hex_bytes());
  }
  std::string report() const {
    std::string s;
    for (const auto& [kind, v] : by_kind) s += fmt::format("{}: {} encodings, e.g. {}\n", kind, v.first, v.second);
    return s;
  }
};

void sweep(bool code32, Findings& findings, unsigned& total) {
  OneInsnTranslator tr;
  std::set<Bytes> seen;
  const uint32_t block_mode = code32 ? kFlatMode : kFlatMode & ~mode::kCode32;
  for_each_encoding([&](const Bytes& b) {
    std::optional<GuestInsn> insn = decode_guest(b, kEip, code32);
    if (!insn || !seen.emplace(b.begin(), b.begin() + insn->length()).second) return;
    ++total;
    Swept s = tr.sweep(*insn, block_mode);
    const std::string name = ZydisMnemonicGetString(insn->mnemonic());
    if (!cpu_implements(insn->info)) {
      if (s.helpers.empty() || s.helpers.front() != "undefined") findings.add("not #UD: " + name, *insn);
      return;
    }
    if (calls(s, "unsupported")) findings.add("unsupported: " + name, *insn);
    // A copied instruction must stay itself on the host: a prefix the guest
    // CPU ignores may make another instruction of the host's (F3 0F BD is
    // lzcnt there, bsr here).
    // (Zydis's encoder makes xchg eax, eax the host's nop, which it is.)
    bool copied = !testing::has_op_row(insn->mnemonic()) && s.helpers.empty();
    bool self_xchg = insn->mnemonic() == ZYDIS_MNEMONIC_XCHG && insn->ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
                     insn->ops[0].reg.value == insn->ops[1].reg.value && s.body == std::vector{ZYDIS_MNEMONIC_NOP};
    if (copied && !self_xchg && std::find(s.body.begin(), s.body.end(), insn->mnemonic()) == s.body.end())
      findings.add("changes meaning on the host: " + name, *insn);
  });
}

}  // namespace

TEST_CASE("cpu contract: every encoding CPUID announces runs, every other one is #UD", "[cpu_contract]") {
  for (bool code32 : {true, false}) {
    Findings findings;
    unsigned total = 0;
    sweep(code32, findings, total);
    INFO((code32 ? "32-bit" : "16-bit") << " code, " << total << " encodings:\n" << findings.report());
    CHECK(findings.by_kind.empty());
  }
}

TEST_CASE("cpu contract: every flag CPUID announces either has no instructions or the model runs them", "[cpu_contract]") {
  using R = CpuidFeature;
  // Flags of paging and system features (MSRs, the APIC, the virtual-8086
  // mode extensions), which no instruction needs.
  const CpuidFeature instructionless[] = {feature::kVme, feature::kPse,  feature::kPae,         feature::kPge,
                                          feature::kMce,  feature::kMca,         feature::kApic,
                                          feature::kPat,  feature::kTscDeadline, feature::kArchCapabilities};
  for (uint32_t leaf : {1u, 7u, 0x80000001u})
    for (R::Register reg : {R::kEbx, R::kEcx, R::kEdx})
      for (uint8_t bit = 0; bit < 32; ++bit) {
        const CpuidFeature f{leaf, reg, bit};
        if (leaf == 1 && reg == R::kEbx) continue;  // APIC ID, CLFLUSH size: no flags
        if (!guest_has(f)) continue;
        bool known = cpu_model_knows(f) || std::any_of(std::begin(instructionless), std::end(instructionless),
                                                       [&](const CpuidFeature& g) {
                                                         return g.leaf == leaf && g.reg == reg && g.bit == bit;
                                                       });
        INFO("CPUID leaf " << std::hex << leaf << " register " << int(reg) << " bit " << std::dec << int(bit));
        CHECK(known);
      }
}
