#include "kvm_probes.h"

#include <fmt/format.h>

#include <cstring>

#include "differ.h"

namespace bt86::fuzz {

namespace {

using namespace asmjit;
namespace I = x86::Inst;

enum class Family { kNone, kX87, kSse };

struct Probe {
  const char* what;
  std::vector<InstId> excluded;  // left out when the probe disagrees
  Family family;                 // or the whole family
  std::vector<Item> items;
};

x86::Mem data(unsigned size, uint32_t off = 0) { return x86::ptr(uint64_t{FUZZ_DATA_BASE + off}, size); }

// States that show the known gaps: AAM/AAD with EAX's top bit set and a
// zero result tell flags taken from AL from flags taken from all of EAX.
std::vector<Probe> probes() {
  const Imm top(0x80000000), bcd(0x8000009A);
  return {
      {"daa", {I::kIdDaa}, Family::kNone, {{I::kIdMov, {x86::eax, bcd}}, {I::kIdDaa, {x86::al}}}},
      {"das", {I::kIdDas}, Family::kNone, {{I::kIdMov, {x86::eax, bcd}}, {I::kIdDas, {x86::al}}}},
      {"aaa", {I::kIdAaa}, Family::kNone, {{I::kIdMov, {x86::eax, bcd}}, {I::kIdAaa, {x86::ax}}}},
      {"aas", {I::kIdAas}, Family::kNone, {{I::kIdMov, {x86::eax, bcd}}, {I::kIdAas, {x86::ax}}}},
      {"aam", {I::kIdAam}, Family::kNone, {{I::kIdMov, {x86::eax, top}}, {I::kIdAam, {x86::ax, Imm(10)}}}},
      {"aad", {I::kIdAad}, Family::kNone, {{I::kIdMov, {x86::eax, top}}, {I::kIdAad, {x86::ax, Imm(10)}}}},
      {"bound",
       {I::kIdBound},
       Family::kNone,
       {{I::kIdMov, {data(4), Imm(0)}}, {I::kIdMov, {data(4, 4), Imm(100)}}, {I::kIdMov, {x86::eax, Imm(7)}},
        {I::kIdBound, {x86::eax, data(8)}}}},
      {"arpl", {I::kIdArpl}, Family::kNone, {{I::kIdMov, {x86::ecx, Imm(3)}}, {I::kIdArpl, {x86::ax, x86::cx}}}},
      {"enter with a nesting level",
       {I::kIdEnter},
       Family::kNone,
       {{I::kIdMov, {x86::ebp, Imm(FUZZ_DATA_BASE + 0x200)}}, {I::kIdEnter, {Imm(8), Imm(2)}}, {I::kIdLeave, {}}}},
      {"int3", {I::kIdInt3}, Family::kNone, {{I::kIdInt3, {}}}},
      {"into", {I::kIdInto}, Family::kNone, {{I::kIdMov, {x86::al, Imm(0x7F)}}, {I::kIdAdd, {x86::al, Imm(1)}},
                                             {I::kIdInto, {}}}},
      {"ldmxcsr/stmxcsr", {I::kIdLdmxcsr, I::kIdStmxcsr}, Family::kNone,
       {{I::kIdStmxcsr, {data(4)}}, {I::kIdLdmxcsr, {data(4)}}}},
      {"x87 arithmetic (fld1, fadd, fistp)", {}, Family::kX87,
       {{I::kIdFld1, {}}, {I::kIdFadd, {x86::st0, x86::st0}}, {I::kIdFistp, {data(4)}}}},
      {"SSE arithmetic (cvtsi2ss, mulss, cvttss2si)", {}, Family::kSse,
       {{I::kIdMov, {x86::eax, Imm(7)}}, {I::kIdCvtsi2ss, {x86::xmm0, x86::eax}}, {I::kIdMulss, {x86::xmm0, x86::xmm0}},
        {I::kIdCvttss2si, {x86::eax, x86::xmm0}}}},
      {"MMX (paddb, movd)", {}, Family::kSse,
       {{I::kIdPaddb, {x86::mm0, x86::mm1}}, {I::kIdMovd, {x86::eax, x86::mm0}}, {I::kIdEmms, {}}}},
  };
}

// A case around one probe: a fixed random state with a clean FPU (default
// control words, empty stack), so only the instructions can differ.
Case probe_case(const Probe& p, uint64_t index) {
  Case c;
  c.index = index;
  random_state(0x9D0BE5, c.state, c.data);
  std::memset(c.state.fx, 0, 32);
  const uint16_t fcw = 0x037F;
  const uint32_t mxcsr = 0x1F80;
  std::memcpy(c.state.fx, &fcw, 2);
  std::memcpy(c.state.fx + 24, &mxcsr, 4);
  c.program.units.push_back(Unit{0, p.items});
  return c;
}

std::string disagreement(const Verdict& v) {
  if (v.other.vector == kStopped) {  // KVM's own words, without the guest state dump
    const std::string& n = v.other.note;
    const size_t from = n.find(": ") + 2;
    return n.substr(from, n.find('\n') - from);
  }
  std::string s = "KVM disagrees with native:";
  for (const std::string& d : v.differences) s += " " + d + ";";
  s.pop_back();
  return s;
}

}  // namespace

void probe_instructions(Runner& native, Runner& kvm, KvmPlan& plan) {
  Differ differ(native, kvm);
  const std::vector<Probe> all = probes();
  unsigned agree = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    const Probe& p = all[i];
    const Verdict v = differ.check(probe_case(p, i));
    if (v.differences.empty()) {
      ++agree;
      continue;
    }
    if (p.family == Family::kX87) plan.x87 = false;
    if (p.family == Family::kSse) plan.sse = false;
    plan.excluded.insert(plan.excluded.end(), p.excluded.begin(), p.excluded.end());
    const char* left_out = p.family == Family::kX87  ? "every x87 instruction"
                           : p.family == Family::kSse ? "every MMX/SSE instruction"
                                                      : p.what;
    plan.notes.push_back(fmt::format("not generated: {} (probe {}: {})", left_out, p.what, disagreement(v)));
  }
  plan.notes.push_back(fmt::format("{} of {} instruction probes agree with native", agree, all.size()));
}

}  // namespace bt86::fuzz
