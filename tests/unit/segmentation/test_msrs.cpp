// segmentation/msrs.h and current_cpuid: every MSR that what CPUID
// announces implies works, with its reserved and read-only bits, every other
// index raises #GP, and CPUID follows IA32_APIC_BASE and IA32_MISC_ENABLE.
#include <catch2/catch.hpp>

#include "bt86/devices/local_apic.h"
#include "bt86/segmentation/cpuid.h"
#include "bt86/segmentation/msrs.h"

namespace {
using namespace bt86;

struct Fixture {
  VirtualClock clock;
  EventQueue events;
  LocalApic apic{0, LocalApic::Wiring{&clock, &events}};
  CpuState cpu{};
  Fixture() { power_on_msrs(cpu); }
  MsrContext ctx(uint64_t host_tsc = 1000) { return {cpu, &apic, host_tsc}; }
  std::optional<uint64_t> rd(uint32_t i) { return read_msr(ctx(), i); }
  bool wr(uint32_t i, uint64_t v) { return write_msr(ctx(), i, v); }
};
}  // namespace

TEST_CASE("msrs: CPUID announces what the MSRs need", "[msr]") {
  for (CpuidFeature f : {feature::kTsc, feature::kMsr, feature::kSep, feature::kApic, feature::kMce, feature::kMca,
                         feature::kPat, feature::kTscDeadline, feature::kSyscall, feature::kArchCapabilities})
    CHECK(guest_has(f));
  CHECK_FALSE(guest_has(feature::kX2apic));  // no x2APIC: its MSRs must not exist
}

TEST_CASE("msrs: indices nothing announced implies raise #GP", "[msr]") {
  Fixture f;
  const uint32_t absent[] = {
      0x3A,        // IA32_FEATURE_CONTROL (VMX, SMX)
      0x3B,        // IA32_TSC_ADJUST
      0x48, 0x49,  // SPEC_CTRL, PRED_CMD
      0x10B,       // FLUSH_CMD
      0xFE, 0x2FF, 0x200,  // MTRRs
      0x17B,       // IA32_MCG_CTL (MCG_CAP.MCG_CTL_P clear)
      0x186, 0xC1, // P6 event select and counter (this CPU's are the K7 ones)
      0x1D9,       // DEBUGCTL
      0x400 + 4 * kMcBanks,  // past the last bank
      0x800, 0x802, 0x830, 0x8FF,  // x2APIC
      0xC0000082, 0xC0000100, 0xC0000103,  // LSTAR, FS_BASE, TSC_AUX (no long mode, no RDTSCP)
      0xC0010008,  // past the four K7 counters
  };
  for (uint32_t i : absent) {
    INFO("MSR " << std::hex << i);
    CHECK_FALSE(f.rd(i));
    CHECK_FALSE(f.wr(i, 0));
  }
}

TEST_CASE("msrs: the TSC is the host's plus the offset", "[msr]") {
  Fixture f;
  f.cpu.tsc_offset = 500;
  CHECK(f.rd(msr::kTsc) == 1500u);
  REQUIRE(f.wr(msr::kTsc, 10'000));
  CHECK(f.cpu.tsc_offset == 9'000);
}

TEST_CASE("msrs: SYSENTER, STAR and EFER", "[msr]") {
  Fixture f;
  REQUIRE(f.wr(msr::kSysenterEsp, 0x1234'5678'9ABC'DEF0ull));
  CHECK(f.rd(msr::kSysenterEsp) == 0x1234'5678'9ABC'DEF0ull);
  CHECK(f.rd(msr::kEfer) == 0u);
  REQUIRE(f.wr(msr::kEfer, msr::kEferSce));
  CHECK(f.rd(msr::kEfer) == msr::kEferSce);
  CHECK_FALSE(f.wr(msr::kEfer, 1u << 8));   // LME: no long mode
  CHECK_FALSE(f.wr(msr::kEfer, 1u << 11));  // NXE: no NX
  CHECK(f.rd(msr::kEfer) == msr::kEferSce);
  REQUIRE(f.wr(msr::kStar, ~uint64_t{0}));
  CHECK(f.rd(msr::kStar) == ~uint64_t{0});
}

TEST_CASE("msrs: IA32_MISC_ENABLE keeps read-only and reserved bits", "[msr]") {
  Fixture f;
  CHECK(f.rd(msr::kMiscEnable) == 0x1801u);
  REQUIRE(f.wr(msr::kMiscEnable, 0x400C51809ull));  // kvm-unit-tests' value with the read-only bits kept
  CHECK(f.rd(msr::kMiscEnable) == 0x400C51809ull);
  CHECK_FALSE(f.wr(msr::kMiscEnable, 0x400C50809ull));  // clears "BTS unavailable"
  CHECK_FALSE(f.wr(msr::kMiscEnable, 0x1801u | 1u << 2));  // reserved
  CHECK(f.rd(msr::kMiscEnable) == 0x400C51809ull);
}

TEST_CASE("msrs: IA32_PAT takes only valid memory types", "[msr]") {
  Fixture f;
  CHECK(f.rd(msr::kPat) == 0x0007040600070406ull);
  REQUIRE(f.wr(msr::kPat, 0x0001050607040100ull));
  CHECK(f.rd(msr::kPat) == 0x0001050607040100ull);
  CHECK_FALSE(f.wr(msr::kPat, 0x02));  // type 2 is reserved
  CHECK_FALSE(f.wr(msr::kPat, 0x0800000000000000ull));
}

TEST_CASE("msrs: machine-check registers", "[msr]") {
  Fixture f;
  CHECK(f.rd(msr::kMcgCap) == kMcBanks);
  CHECK_FALSE(f.wr(msr::kMcgCap, kMcBanks));  // read-only
  REQUIRE(f.wr(msr::kMcgStatus, 0));
  CHECK_FALSE(f.wr(msr::kMcgStatus, 1u << 3));
  for (unsigned bank = 0; bank < kMcBanks; ++bank) {
    uint32_t ctl = msr::kMc0Ctl + 4 * bank;
    INFO("bank " << bank);
    REQUIRE(f.wr(ctl, ~uint64_t{0}));
    CHECK(f.rd(ctl) == ~uint64_t{0});
    CHECK_FALSE(f.wr(ctl, 0xAAAAAAAAAAAAAAAAull));  // all ones or all zeros
    REQUIRE(f.wr(ctl + 1, 0));
    CHECK_FALSE(f.wr(ctl + 1, 1));  // status: software may only clear it
    REQUIRE(f.wr(ctl + 2, ~uint64_t{0}));
    CHECK(f.rd(ctl + 2) == ~uint64_t{0});
    REQUIRE(f.wr(ctl + 3, 0x1234));
    CHECK(f.rd(ctl + 3) == 0x1234u);
  }
  CHECK(f.rd(msr::kP5McAddr) == ~uint64_t{0});  // bank 0's address
  CHECK(f.rd(msr::kP5McType) == 0u);
}

TEST_CASE("msrs: the K7-style performance counters hold what is written", "[msr]") {
  Fixture f;
  REQUIRE(f.wr(msr::kPerfEvtSel0 + 2, 0x004300C0));
  CHECK(f.rd(msr::kPerfEvtSel0 + 2) == 0x004300C0u);
  CHECK_FALSE(f.wr(msr::kPerfEvtSel0, 1ull << 32));
  REQUIRE(f.wr(msr::kPerfCtr0 + 3, ~uint64_t{0}));
  CHECK(f.rd(msr::kPerfCtr0 + 3) == (1ull << 48) - 1);
  CHECK(read_pmc(f.cpu, 3) == (1ull << 48) - 1);
  CHECK_FALSE(read_pmc(f.cpu, 4));
}

TEST_CASE("msrs: IA32_APIC_BASE and IA32_TSC_DEADLINE reach the local APIC", "[msr]") {
  Fixture f;
  CHECK(f.rd(msr::kApicBase) == (0xFEE00000u | 1u << 11 | 1u << 8));
  CHECK_FALSE(f.wr(msr::kApicBase, 0xFEE00000u | 1u << 11 | 1u << 10));  // x2APIC enable
  REQUIRE(f.wr(msr::kApicBase, 0xFEE00000u));
  CHECK_FALSE(f.apic.hardware_enabled());
  CHECK(f.rd(msr::kTscDeadline) == 0u);
  REQUIRE(f.wr(msr::kTscDeadline, 5));  // outside TSC-deadline mode: ignored, no #GP
  CHECK(f.rd(msr::kTscDeadline) == 0u);
  // Without an APIC neither exists.
  MsrContext none{f.cpu, nullptr, 0};
  CHECK_FALSE(read_msr(none, msr::kApicBase));
  CHECK_FALSE(write_msr(none, msr::kTscDeadline, 0));
}

TEST_CASE("cpuid: the APIC flag follows IA32_APIC_BASE, MISC_ENABLE can limit the leaves", "[msr][cpuid]") {
  CpuState cpu{};
  power_on_msrs(cpu);
  constexpr uint32_t kApicFlag = 1u << 9;
  CHECK((current_cpuid(cpu, true, 1, 0).edx & kApicFlag) != 0);
  CHECK((current_cpuid(cpu, false, 1, 0).edx & kApicFlag) == 0);
  CHECK(current_cpuid(cpu, true, 0, 0).eax == 7);
  cpu.msr_misc_enable |= msr::kMiscEnableLimitCpuid;
  CHECK(current_cpuid(cpu, true, 0, 0).eax == 2);
  CHECK(current_cpuid(cpu, true, 7, 0).edx == guest_cpuid(2).edx);  // beyond the limit: leaf 2's data
  CHECK(current_cpuid(cpu, true, 0x80000001, 0).edx == guest_cpuid(0x80000001).edx);  // extended leaves stay
}
