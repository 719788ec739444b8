// bt86_fuzz: differential testing with the host CPU as the oracle. Random
// instruction sequences run natively (a 32-bit process) and on bt86 and/or
// KVM (--side); final registers, flags, x87/SSE state and memory are
// compared, and a difference is shrunk and printed as a reproducer.
//
//   bt86_fuzz --native PATH [--seed S] [--cases N | --instructions N]
//             [--case I] [--max-differences K] [--self-test] [--no-fpu]
//             [--side bt86|kvm|both] [--mode flat32|pm16|pm16-ss32|real|16]
//             [--assemble-only]   (generate and assemble the cases, run nothing)
//
// --mode: where the code runs on bt86 (native: always in a 32-bit process,
// 16-bit code in an LDT code segment): flat 32-bit protected mode (the
// default), 16-bit code with a 16- or 32-bit stack, real mode, or "16":
// the three 16-bit modes in turn, case by case.
//
// Exit status: 0 without differences, 1 with, 2 on a usage or setup error,
// 77 (ctest's skip) when --side kvm finds no KVM that runs the cases.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "bt_runner.h"
#include "differ.h"
#include "kvm_plan.h"
#include "kvm_probes.h"
#include "bt86/kvm/kvm_gate.h"
#include "kvm_runner.h"
#include "native_oracle.h"

namespace {

using namespace bt86::fuzz;

struct Options {
  std::string native;
  uint64_t seed = 1;
  uint64_t cases = 1000;
  uint64_t instructions = 0;  // when set: run until this many instead
  std::optional<uint64_t> only_case;
  bool self_test = false;
  bool assemble_only = false;
  bool fpu = true;
  bool bt86 = true, kvm = false;  // the sides compared with native
  std::string mode = "flat32";
  uint64_t max_differences = 10;
};

const char kUsage[] =
    "usage: bt86_fuzz --native PATH [--seed S] [--cases N | --instructions N] [--case I]\n"
    "                 [--max-differences K] [--self-test] [--no-fpu] [--side bt86|kvm|both]\n"
    "                 [--mode flat32|pm16|pm16-ss32|real|16] [--assemble-only]\n";

constexpr int kSkipped = 77;

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    auto number = [&](uint64_t& out) {
      const char* v = value();
      if (!v) return false;
      char* end;
      out = std::strtoull(v, &end, 0);
      return *end == 0;
    };
    uint64_t n;
    if (a == "--native" && value()) o.native = argv[i];
    else if (a == "--seed" && number(o.seed)) {}
    else if (a == "--cases" && number(o.cases)) {}
    else if (a == "--instructions" && number(o.instructions)) {}
    else if (a == "--case" && number(n)) o.only_case = n;
    else if (a == "--max-differences" && number(o.max_differences)) {}
    else if (a == "--self-test") o.self_test = true;
    else if (a == "--assemble-only") o.assemble_only = true;
    else if (a == "--no-fpu") o.fpu = false;
    else if (a == "--side" && value() && (a = argv[i], a == "bt86" || a == "kvm" || a == "both"))
      o.bt86 = a != "kvm", o.kvm = a != "bt86";
    else if (a == "--mode" && value() &&
             (a = argv[i], a == "flat32" || a == "pm16" || a == "pm16-ss32" || a == "real" || a == "16"))
      o.mode = a;
    else return std::nullopt;
  }
  if (o.native.empty()) return std::nullopt;
  if (o.mode != "flat32" && o.kvm) return std::nullopt;  // the KVM side runs flat 32-bit code only
  return o;
}

// The FUZZ_MODE_* case `index` runs in.
uint32_t mode_of(const Options& o, uint64_t index) {
  if (o.mode == "pm16") return FUZZ_MODE_PM16;
  if (o.mode == "pm16-ss32") return FUZZ_MODE_PM16_SS32;
  if (o.mode == "real") return FUZZ_MODE_REAL;
  if (o.mode == "16") return FUZZ_MODE_PM16 + static_cast<uint32_t>(index % 3);
  return FUZZ_MODE_FLAT32;
}

GeneratorOptions generator_options(const Options& o, uint32_t mode = FUZZ_MODE_FLAT32) {
  GeneratorOptions gen;
  gen.x87 = gen.sse = o.fpu;
  if (mode == FUZZ_MODE_FLAT32) return gen;
  // 16-bit code: no x87 and SSE (0x66 is part of SSE opcodes, and x87
  // environments change size with it); no segment loads (the native side's
  // selectors are not bt86's, and real mode loads paragraphs), nor arpl
  // (#UD in real mode).
  gen.x87 = gen.sse = false;
  gen.code16 = true;
  namespace I = asmjit::x86::Inst;
  gen.excluded = {I::kIdLes, I::kIdLds, I::kIdLfs, I::kIdLgs, I::kIdLss};
  if (mode == FUZZ_MODE_REAL) gen.excluded.push_back(I::kIdArpl);
  return gen;
}

// Runs the cases against one side (`side`: its --side value); returns the
// number of differing cases.
uint64_t campaign(const Options& o, Runner& native, Runner& other, const char* side, const GeneratorOptions& gen,
                  const char* title) {
  Differ differ(native, other);
  differ.title = title;
  differ.reproduce_options = fmt::format("{} --side {} --mode {}", o.fpu ? "" : " --no-fpu", side, o.mode);
  uint64_t cases = 0, instructions = 0, differences = 0, faults = 0;
  std::map<uint32_t, uint64_t> endings;  // native vector -> cases
  const auto start = std::chrono::steady_clock::now();
  const uint64_t first = o.only_case.value_or(0);
  for (uint64_t index = first;; ++index) {
    if (o.only_case && index != *o.only_case) break;
    if (o.instructions ? instructions >= o.instructions : cases >= o.cases) break;
    differ.mode = mode_of(o, index);
    Case c = generate(o.seed, index, differ.mode == FUZZ_MODE_FLAT32 ? gen : generator_options(o, differ.mode));
    Verdict v = differ.check(c);
    ++cases;
    instructions += v.instructions;
    faults += v.native.vector != FUZZ_END;
    ++endings[v.native.vector];
    if (!v.differences.empty()) {
      ++differences;
      std::fputs(differ.shrink_and_report(c, v).c_str(), stdout);
      std::fflush(stdout);
      if (differences >= o.max_differences) break;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s vs native: seed %llu, %llu cases (%llu ended in an exception), %llu instructions, "
              "%llu differences, %.1f s\n",
              other.name(), static_cast<unsigned long long>(o.seed), static_cast<unsigned long long>(cases),
              static_cast<unsigned long long>(faults), static_cast<unsigned long long>(instructions),
              static_cast<unsigned long long>(differences), secs);
  std::string by_vector;
  for (const auto& [vector, n] : endings)
    by_vector += fmt::format(" {}:{}", vector == FUZZ_END ? std::string("end") : fmt::format("#{}", vector), n);
  std::printf("  native endings:%s\n", by_vector.c_str());
  return differences;
}

// The fuzzer must notice a wrong result: corrupt one field of the other
// side's outcome per kind in one case each; every one must be reported.
int self_test(const Options& o, Runner& native, Runner& other, const GeneratorOptions& gen) {
  struct Kind {
    const char* name;
    void (*apply)(Outcome&);
  };
  static const Kind kinds[] = {
      {"a register", [](Outcome& x) { x.state.gpr[bt86::kEbx] ^= 1u << 7; }},
      {"a flag", [](Outcome& x) { x.state.eflags ^= 1u << 11; }},
      {"an x87 register", [](Outcome& x) { x.state.fx[32 + 16 * 3] ^= 1; }},
      {"an XMM register", [](Outcome& x) { x.state.fx[160 + 16 * 5 + 9] ^= 0x40; }},
      {"memory", [](Outcome& x) { x.data[0x123] ^= 0x10; }},
      {"the ending", [](Outcome& x) { x.vector = x.vector == FUZZ_END ? 6 : FUZZ_END; }},
  };
  int missed = 0;
  uint64_t index = o.seed * 1000;
  for (const Kind& k : kinds) {
    Differ differ(native, other);
    differ.corrupt = [&](const Case&, Outcome& x) { k.apply(x); };
    differ.mode = mode_of(o, index);
    Case c = generate(o.seed, index++, differ.mode == FUZZ_MODE_FLAT32 ? gen : generator_options(o, differ.mode));
    Verdict v = differ.check(c);
    if (v.differences.empty()) {
      std::printf("self-test: a corrupted %s was NOT reported\n", k.name);
      ++missed;
      continue;
    }
    // The corruption does not depend on the program: the shrinker must drop it all.
    std::string report = differ.shrink_and_report(c, v);
    const bool minimal = report.find("(0 of ") != std::string::npos;
    std::printf("self-test: a corrupted %s was reported (%s): %s\n", k.name,
                minimal ? "shrunk to no instruction" : "NOT shrunk", v.differences.front().c_str());
    if (!minimal) ++missed;
  }
  std::printf("self-test against %s: %s\n", other.name(), missed ? "FAILED" : "passed");
  return missed ? 1 : 0;
}

// Every generated instruction must be one AsmJit accepts and Zydis decodes.
int assemble_only(const Options& o) {
  std::map<std::string, uint64_t> errors;
  uint64_t instructions = 0;
  for (uint64_t index = 0; index < o.cases; ++index) {
    try {
      const uint32_t mode = mode_of(o, index);
      const bool code16 = mode != FUZZ_MODE_FLAT32;
      Case c = generate(o.seed, index, generator_options(o, mode));
      Assembled a = assemble(c.program, code16 ? c.code_offset : FUZZ_CODE_BASE, {}, code16);
      instructions += a.starts.size();
      if (a.code.size() > FUZZ_CODE_MAX) ++errors["code larger than FUZZ_CODE_MAX"];
      std::string l = listing(a.code, code16 ? c.code_offset : FUZZ_CODE_BASE, code16);
      if (l.find("undecodable") != std::string::npos && !errors.count("undecodable bytes")) std::puts(l.c_str());
      if (l.find("undecodable") != std::string::npos) ++errors["undecodable bytes"];
    } catch (const std::exception& e) {
      ++errors[e.what()];
    }
  }
  for (const auto& [what, n] : errors) std::printf("%llu x %s\n", static_cast<unsigned long long>(n), what.c_str());
  std::printf("assembled %llu cases, %llu instructions, %zu kinds of error\n",
              static_cast<unsigned long long>(o.cases), static_cast<unsigned long long>(instructions), errors.size());
  return errors.empty() ? 0 : 1;
}

int bt86_side(const Options& o) {
  NativeOracle native(o.native);
  BtRunner bt;
  if (o.self_test) return self_test(o, native, bt, generator_options(o));
  return campaign(o, native, bt, "bt86", generator_options(o), "difference") ? 1 : 0;
}

// What this host's KVM runs decides whether and what to compare.
int kvm_side(const Options& o) {
  KvmPlan plan = plan_kvm(bt86::probe_kvm());
  if (!plan.skip.empty()) {
    std::printf("SKIPPED: KVM side: %s\n", plan.skip.c_str());
    return kSkipped;
  }
  NativeOracle native(o.native);
  KvmRunner kvm;
  probe_instructions(native, kvm, plan);
  for (const std::string& note : plan.notes) std::printf("KVM: %s\n", note.c_str());
  GeneratorOptions gen = generator_options(o);
  gen.excluded = plan.excluded;
  gen.x87 &= plan.x87;
  gen.sse &= plan.sse;
  if (o.self_test) return self_test(o, native, kvm, gen);
  if (!campaign(o, native, kvm, "kvm", gen, "KVM disagrees with native")) return 0;
  // Reported above; a finding only where KVM runs guest code on the CPU.
  const std::string excuse = bt86::kvm_not_an_oracle(plan.capabilities);
  if (excuse.empty()) return 1;
  std::printf("SKIPPED: KVM side: %s\n", excuse.c_str());
  return kSkipped;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> o = parse(argc, argv);
  if (!o) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (o->assemble_only) return assemble_only(*o);
  try {
    int status = o->bt86 ? bt86_side(*o) : 0;
    if (o->kvm) {
      const int kvm = kvm_side(*o);
      status = kvm == kSkipped ? (o->bt86 ? status : kSkipped) : std::max(status, kvm);
    }
    return status;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bt86_fuzz: %s\n", e.what());
    return 2;
  }
}
