// devices/local_apic.h: each register's reset value and writable bits, the
// acceptance and priority rules (IRR, ISR, TMR, TPR, PPR, EOI), the ICR's
// delivery modes and shorthands, the ESR, LINT0/LINT1 (virtual wire), the
// timer in its three modes against a VirtualClock, and IA32_APIC_BASE.
#include <catch2/catch.hpp>

#include <vector>

#include "bt86/devices/local_apic.h"

namespace {
using namespace bt86::apic_reg;
using bt86::ApicDelivery;
using bt86::ApicMessage;

// Three TSC cycles per nanosecond of device time.
struct FakeTsc final : bt86::GuestTsc {
  const bt86::VirtualClock* clock;
  explicit FakeTsc(const bt86::VirtualClock& c) : clock(&c) {}
  uint64_t now() const override { return clock->now_ns() * 3; }
  double ns_per_cycle() const override { return 1.0 / 3; }
};

// A stand-in 8259A pair: INTR while `pending`, answering `vector`.
struct FakePic final : bt86::InterruptController {
  bool pending = false;
  uint8_t vector = 0x08;
  int acks = 0;
  bool interrupt_pending() const override { return pending; }
  uint8_t acknowledge() override {
    ++acks;
    pending = false;
    return vector;
  }
};

struct Apic {
  bt86::VirtualClock clock;
  bt86::EventQueue events;
  FakeTsc tsc{clock};
  FakePic pic;
  std::vector<uint8_t> level_eois, eois;
  int inits = 0;
  struct Move {
    uint64_t old_base;
    bool was_on;
    uint64_t new_base;
    bool now_on;
  };
  std::vector<Move> moves;
  bt86::LocalApic apic{0, bt86::LocalApic::Wiring{
                              &clock, &events, &tsc, &pic,
                              [this](uint8_t v, bool level) {
                                if (level) level_eois.push_back(v);
                                eois.push_back(v);
                              },
                              [this] { ++inits; },
                              [this](uint64_t o, bool w, uint64_t n, bool on) { moves.push_back({o, w, n, on}); }}};

  uint32_t rd(uint32_t reg) { return apic.read(reg, 4); }
  void wr(uint32_t reg, uint32_t v) { apic.write(reg, 4, v); }
  void enable() { wr(kSpiv, 0x1FF); }
  void self_ipi(uint8_t vector, uint32_t mode = 0) { wr(kIcrLow, 1u << 18 | mode << 8 | vector); }
  void advance(uint64_t ns) {
    clock.advance(ns);
    events.run_expired(clock.now_ns());
  }
  // Acknowledges and returns the vector the CPU would take now, or -1.
  int take() { return apic.interrupt_pending() ? apic.acknowledge() : -1; }
  uint32_t esr() {
    wr(kEsr, 0);
    return rd(kEsr);
  }
};

}  // namespace

TEST_CASE("local apic: power-up state", "[dev][apic]") {
  Apic a;
  CHECK(a.rd(kId) == 0);
  CHECK(a.rd(kVersion) == 0x00050014);
  CHECK(a.rd(kTpr) == 0);
  CHECK(a.rd(kPpr) == 0);
  CHECK(a.rd(kLdr) == 0);
  CHECK(a.rd(kDfr) == 0xFFFFFFFF);
  CHECK(a.rd(kSpiv) == 0xFF);
  for (uint32_t lvt = kLvtTimer; lvt <= kLvtError; lvt += 0x10) CHECK(a.rd(lvt) == 0x10000);
  CHECK(a.rd(kTimerInitial) == 0);
  CHECK(a.rd(kTimerCurrent) == 0);
  CHECK(a.rd(kTimerDivide) == 0);
  CHECK(a.apic.base_msr() == (0xFEE00000 | 1u << 11 | 1u << 8));
  CHECK_FALSE(a.apic.interrupt_pending());
}

TEST_CASE("local apic: writable bits of each register", "[dev][apic]") {
  Apic a;
  a.enable();
  struct {
    uint32_t reg, keep;
  } regs[] = {{kId, 0xFF000000},         {kTpr, 0xFF},         {kLdr, 0xFF000000},
              {kSpiv, 0x1FF},            {kIcrHigh, 0xFF000000}, {kTimerDivide, 0xB},
              {kLvtTimer, 0x000700FF},   {kLvtThermal, 0x000107FF}, {kLvtPerf, 0x000107FF},
              {kLvtLint0, 0x0001A7FF},   {kLvtLint1, 0x0001A7FF},   {kLvtError, 0x000100FF}};
  for (auto r : regs) {
    INFO("register " << std::hex << r.reg);
    a.wr(r.reg, 0xFFFFFFFF);
    CHECK(a.rd(r.reg) == r.keep);
    a.wr(r.reg, 0);
    CHECK(a.rd(r.reg) == 0u);
    a.enable();
  }
  a.wr(kDfr, 0);  // the cluster model: bits 0-27 always read as ones
  CHECK(a.rd(kDfr) == 0x0FFFFFFF);
  // Read-only registers ignore writes.
  a.wr(kVersion, 0);
  CHECK(a.rd(kVersion) == 0x00050014);
  a.wr(kPpr, 0xFF);
  CHECK(a.rd(kPpr) == 0);
  CHECK(a.esr() == 0);  // none of these is an illegal register
}

TEST_CASE("local apic: narrow reads see bytes of a register, narrow writes are ignored", "[dev][apic]") {
  Apic a;
  a.wr(kTpr, 0x5A);
  CHECK(a.apic.read(kTpr, 1) == 0x5A);
  CHECK(a.apic.read(kDfr + 3, 1) == 0xFF);
  CHECK(a.apic.read(kVersion + 2, 2) == 0x0005);
  a.apic.write(kTpr, 1, 0x11);
  a.apic.write(kTpr + 4, 4, 0x22);
  CHECK(a.rd(kTpr) == 0x5A);
}

TEST_CASE("local apic: a software-disabled APIC keeps its LVT masked and drops fixed interrupts", "[dev][apic]") {
  Apic a;
  a.wr(kLvtLint0, 0x700);  // while disabled: stays masked
  CHECK(a.rd(kLvtLint0) == 0x10700);
  a.self_ipi(0x40);
  CHECK_FALSE(a.apic.requested(0x40));
  a.enable();
  a.wr(kLvtError, 0xEE);
  CHECK(a.rd(kLvtError) == 0xEE);
  a.wr(kSpiv, 0xFF);  // disabling masks every entry
  CHECK(a.rd(kLvtError) == 0x100EE);
  // NMIs are still taken.
  a.wr(kIcrLow, 4u << 8);
  CHECK(a.apic.nmi_pending());
}

TEST_CASE("local apic: IRR, ISR and EOI", "[dev][apic]") {
  Apic a;
  a.enable();
  a.self_ipi(0x41);
  a.self_ipi(0x52);
  CHECK(a.rd(kIrr + 0x20) == (1u << 1 | 1u << 18));  // IRR bits 0x41 and 0x52 (register 2)
  CHECK(a.take() == 0x52);
  CHECK(a.rd(kIsr + 0x20) == 1u << 18);
  CHECK(a.rd(kPpr) == 0x50);
  CHECK_FALSE(a.apic.interrupt_pending());  // 0x41's class is below the one in service
  a.wr(kEoi, 0);
  CHECK(a.rd(kIsr + 0x20) == 0);
  CHECK(a.take() == 0x41);
  // A second request of a vector already in IRR is the same request.
  a.self_ipi(0x60);
  a.self_ipi(0x60);
  CHECK(a.take() == 0x60);
  CHECK(a.take() == -1);
  a.wr(kEoi, 0);  // EOI clears the highest vector in service: 0x60, then 0x41
  CHECK(a.apic.in_service(0x41));
  a.wr(kEoi, 0);
  CHECK_FALSE(a.apic.in_service(0x41));
  a.wr(kEoi, 0);  // nothing in service: nothing happens
}

TEST_CASE("local apic: TPR and PPR decide what interrupts the CPU", "[dev][apic]") {
  Apic a;
  a.enable();
  a.wr(kTpr, 0x5F);
  a.self_ipi(0x5E);
  CHECK(a.rd(kPpr) == 0x5F);
  CHECK_FALSE(a.apic.interrupt_pending());  // same class as the TPR
  a.self_ipi(0x61);
  CHECK(a.take() == 0x61);
  CHECK(a.rd(kPpr) == 0x60);  // the class in service is above the TPR
  CHECK(a.rd(kApr) == 0x60);
  a.wr(kTpr, 0x70);
  CHECK(a.rd(kPpr) == 0x70);
  a.wr(kEoi, 0);
  a.wr(kTpr, 0x40);
  CHECK(a.take() == 0x5E);
  CHECK(a.rd(kPpr) == 0x50);
}

TEST_CASE("local apic: APR follows the TPR, or the higher of ISR and IRR", "[dev][apic]") {
  Apic a;
  a.enable();
  a.wr(kTpr, 0x35);
  CHECK(a.rd(kApr) == 0x35);
  a.wr(kTpr, 0x20);
  a.self_ipi(0x72);
  CHECK(a.rd(kApr) == 0x70);
}

TEST_CASE("local apic: acknowledge with nothing above PPR answers the spurious vector", "[dev][apic]") {
  Apic a;
  a.wr(kSpiv, 0x1EF);
  CHECK(a.apic.acknowledge() == 0xEF);
  CHECK(a.rd(kIsr + 0x70) == 0);
}

TEST_CASE("local apic: illegal vectors and registers set the ESR and raise the error interrupt", "[dev][apic]") {
  Apic a;
  a.enable();
  a.wr(kLvtError, 0xE3);
  a.self_ipi(0x05);  // a fixed IPI with a vector below 16
  CHECK(a.rd(kEsr) == 0);  // not visible before the next ESR write
  CHECK(a.esr() == bt86::esr::kSendIllegalVector);
  CHECK(a.take() == 0xE3);
  a.wr(kEoi, 0);
  a.apic.receive(ApicMessage{ApicDelivery::kFixed, 0x0A});
  CHECK(a.esr() == bt86::esr::kReceiveIllegalVector);
  CHECK_FALSE(a.apic.requested(0x0A));
  CHECK(a.take() == 0xE3);
  a.wr(kEoi, 0);
  a.rd(0x2F0);  // no CMCI entry on this APIC
  CHECK(a.esr() == bt86::esr::kIllegalRegister);
  CHECK(a.esr() == 0);  // read again after a write: cleared
}

TEST_CASE("local apic: ICR shorthands, destinations and delivery modes", "[dev][apic]") {
  Apic a;
  a.enable();
  a.wr(kId, 0x03000000);
  auto send = [&](uint32_t low, uint8_t dest) {
    a.wr(kIcrHigh, uint32_t{dest} << 24);
    a.wr(kIcrLow, low);
    CHECK((a.rd(kIcrLow) & 1u << 12) == 0);  // delivery status: idle
  };
  auto take = [&] {  // and end the handler
    int v = a.take();
    if (v >= 0) a.wr(kEoi, 0);
    return v;
  };
  send(0x40, 3);  // physical, our ID
  CHECK(take() == 0x40);
  send(0x41, 2);  // another CPU's ID: nobody
  CHECK(take() == -1);
  send(0x42, 0xFF);  // broadcast
  CHECK(take() == 0x42);
  send(3u << 18 | 0x43, 0);  // all excluding self
  CHECK(take() == -1);
  send(2u << 18 | 0x44, 0);  // all including self
  CHECK(take() == 0x44);
  // Logical: flat model matches any common bit, cluster model the cluster and a member.
  a.wr(kLdr, 0x12000000);
  send(1u << 11 | 0x45, 0x02);
  CHECK(take() == 0x45);
  send(1u << 11 | 0x46, 0x21);
  CHECK(take() == -1);
  a.wr(kDfr, 0x0FFFFFFF);
  send(1u << 11 | 0x47, 0x12);
  CHECK(take() == 0x47);
  send(1u << 11 | 0x48, 0x22);
  CHECK(take() == -1);
  // NMI, INIT (assert; a level de-assert is no INIT), StartUp, lowest priority.
  send(4u << 8, 3);
  CHECK(a.apic.nmi_pending());
  a.apic.acknowledge_nmi();
  CHECK_FALSE(a.apic.nmi_pending());
  send(5u << 8 | 1u << 14, 3);
  CHECK(a.inits == 1);
  send(5u << 8 | 1u << 15, 3);
  CHECK(a.inits == 1);
  send(6u << 8 | 0x10, 3);
  CHECK(take() == -1);
  send(1u << 8 | 0x49, 3);
  CHECK(take() == 0x49);
  CHECK_FALSE(a.apic.level_triggered(0x49));  // IPIs are edges
}

TEST_CASE("local apic: level-triggered messages set TMR and broadcast their EOI", "[dev][apic]") {
  Apic a;
  a.enable();
  a.apic.receive(ApicMessage{ApicDelivery::kFixed, 0x31, true});
  a.apic.receive(ApicMessage{ApicDelivery::kFixed, 0x72, false});
  CHECK(a.apic.level_triggered(0x31));
  CHECK(a.rd(kTmr + 0x10) == 1u << 17);
  CHECK(a.take() == 0x72);
  a.wr(kEoi, 0);
  CHECK(a.level_eois.empty());
  CHECK(a.eois == std::vector<uint8_t>{0x72});
  CHECK(a.take() == 0x31);
  a.wr(kEoi, 0);
  CHECK(a.level_eois == std::vector<uint8_t>{0x31});
  // Messages for another APIC ID are not accepted.
  CHECK_FALSE(a.apic.receive(ApicMessage{ApicDelivery::kFixed, 0x33, false, false, false, 7}));
  CHECK_FALSE(a.apic.requested(0x33));
  // A second request of a waiting vector is no new request.
  CHECK(a.apic.receive(ApicMessage{ApicDelivery::kFixed, 0x34}));
  CHECK_FALSE(a.apic.receive(ApicMessage{ApicDelivery::kFixed, 0x34}));
}

TEST_CASE("local apic: LINT0 in ExtINT mode passes the 8259A's INTR", "[dev][apic]") {
  Apic a;
  a.pic.pending = true;
  CHECK_FALSE(a.apic.interrupt_pending());  // power-up: LINT0 masked
  a.apic.set_virtual_wire();
  CHECK(a.rd(kLvtLint0) == 0x700);
  CHECK(a.rd(kLvtLint1) == 0x400);
  CHECK(a.apic.interrupt_pending());  // even software-disabled
  a.wr(kTpr, 0xFF);                   // ExtINT ignores priorities
  CHECK(a.take() == 0x08);
  CHECK(a.pic.acks == 1);
  CHECK(a.rd(kIsr) == 0);
  a.enable();
  a.wr(kLvtLint0, 0x10700);
  a.pic.pending = true;
  CHECK_FALSE(a.apic.interrupt_pending());
  // A hardware-disabled APIC passes INTR straight through.
  REQUIRE(a.apic.write_base_msr(0xFEE00000));
  CHECK(a.apic.interrupt_pending());
}

TEST_CASE("local apic: LINT1 as NMI and LINT pins in fixed mode", "[dev][apic]") {
  Apic a;
  a.enable();
  a.wr(kLvtLint1, 0x400);
  a.apic.set_lint(1, true);
  CHECK(a.apic.nmi_pending());
  a.apic.acknowledge_nmi();
  a.apic.set_lint(1, true);  // no new edge
  CHECK_FALSE(a.apic.nmi_pending());
  // Level-triggered fixed: requested again only after the EOI, if still high.
  a.wr(kLvtLint0, 0x8000 | 0x55);
  a.apic.set_lint(0, true);
  CHECK((a.rd(kLvtLint0) & 1u << 14) != 0);  // remote IRR
  CHECK(a.take() == 0x55);
  CHECK(a.take() == -1);
  a.wr(kEoi, 0);
  CHECK(a.take() == 0x55);
  a.apic.set_lint(0, false);
  a.wr(kEoi, 0);
  CHECK(a.take() == -1);
  CHECK((a.rd(kLvtLint0) & 1u << 14) == 0);
}

TEST_CASE("local apic timer: one-shot counts down by the divided bus clock", "[dev][apic]") {
  Apic a;
  a.enable();
  a.wr(kTimerDivide, 0x1);  // divide by 4
  a.wr(kLvtTimer, 0x50);
  a.wr(kTimerInitial, 1000);
  CHECK(a.rd(kTimerCurrent) == 1000);
  a.advance(400);
  CHECK(a.rd(kTimerCurrent) == 900);
  CHECK(a.take() == -1);
  a.advance(3599);
  CHECK(a.rd(kTimerCurrent) == 1);
  CHECK(a.take() == -1);
  a.advance(1);
  CHECK(a.rd(kTimerCurrent) == 0);
  CHECK(a.take() == 0x50);
  a.wr(kEoi, 0);
  a.advance(100000);
  CHECK(a.take() == -1);  // once
}

TEST_CASE("local apic timer: the divide configuration", "[dev][apic]") {
  const uint32_t codes[] = {0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xA, 0xB};
  const uint64_t divisors[] = {2, 4, 8, 16, 32, 64, 128, 1};
  for (int i = 0; i < 8; ++i) {
    Apic a;
    a.enable();
    a.wr(kTimerDivide, codes[i]);
    a.wr(kTimerInitial, 100);
    a.advance(10 * divisors[i]);
    CHECK(a.rd(kTimerCurrent) == 90);
  }
}

TEST_CASE("local apic timer: periodic reloads and interrupts every period; masked counts silently", "[dev][apic]") {
  Apic a;
  a.enable();
  a.wr(kTimerDivide, 0xB);                 // by 1
  a.wr(kLvtTimer, 1u << 17 | 0x60);        // periodic
  a.wr(kTimerInitial, 200'000);            // 200 us
  a.advance(150'000);
  CHECK(a.rd(kTimerCurrent) == 50'000);
  a.advance(50'000);
  CHECK(a.take() == 0x60);
  a.wr(kEoi, 0);
  CHECK(a.rd(kTimerCurrent) == 200'000);
  a.advance(200'000);
  CHECK(a.take() == 0x60);
  a.wr(kEoi, 0);
  a.wr(kLvtTimer, 1u << 17 | 1u << 16 | 0x60);  // masked
  a.advance(200'000);
  CHECK(a.take() == -1);
  CHECK(a.rd(kTimerCurrent) == 200'000);
  // Switching to one-shot continues the count to 0 and stops there.
  a.wr(kLvtTimer, 0x60);
  a.advance(100'000);
  CHECK(a.rd(kTimerCurrent) == 100'000);
  a.advance(100'000);
  CHECK(a.take() == 0x60);
  CHECK(a.rd(kTimerCurrent) == 0);
  // Writing 0 stops the timer.
  a.wr(kLvtTimer, 1u << 17 | 0x60);
  a.wr(kTimerInitial, 1000);
  a.wr(kTimerInitial, 0);
  CHECK(a.events.size() == 0);
}

TEST_CASE("local apic timer: a tiny periodic count interrupts at most every 100 us", "[dev][apic]") {
  Apic a;
  a.enable();
  a.wr(kTimerDivide, 0xB);
  a.wr(kLvtTimer, 1u << 17 | 0x60);
  a.wr(kTimerInitial, 1);
  int taken = 0;
  for (int i = 0; i < 1000; ++i) {
    a.advance(1000);
    if (a.take() == 0x60) ++taken, a.wr(kEoi, 0);
  }
  CHECK(taken == 10);
}

TEST_CASE("local apic timer: TSC-deadline mode", "[dev][apic]") {
  Apic a;
  a.enable();
  a.apic.write_tsc_deadline(5000);  // not in TSC-deadline mode: ignored
  CHECK(a.apic.tsc_deadline() == 0);
  a.wr(kTimerInitial, 1000);
  a.wr(kLvtTimer, 2u << 17 | 0x70);  // TSC-deadline: the count stops, initial-count writes are ignored
  CHECK(a.rd(kTimerCurrent) == 0);
  a.wr(kTimerInitial, 1000);
  CHECK(a.events.size() == 0);
  a.apic.write_tsc_deadline(3000);  // 1000 ns from now
  CHECK(a.apic.tsc_deadline() == 3000);
  a.advance(999);
  CHECK(a.take() == -1);
  a.advance(1);
  CHECK(a.take() == 0x70);
  CHECK(a.apic.tsc_deadline() == 0);  // disarmed once it fired
  a.wr(kEoi, 0);
  a.apic.write_tsc_deadline(a.tsc.now() - 1);  // already passed: at once
  CHECK(a.take() == 0x70);
  a.wr(kEoi, 0);
  a.apic.write_tsc_deadline(a.tsc.now() + 300);
  a.apic.write_tsc_deadline(0);  // disarms
  a.advance(1000);
  CHECK(a.take() == -1);
  a.apic.write_tsc_deadline(a.tsc.now() + 300);
  a.wr(kLvtTimer, 0x70);  // leaving TSC-deadline mode disarms too
  CHECK(a.apic.tsc_deadline() == 0);
  a.advance(1000);
  CHECK(a.take() == -1);
}

TEST_CASE("local apic: IA32_APIC_BASE", "[dev][apic]") {
  Apic a;
  CHECK_FALSE(a.apic.write_base_msr(0xFEE00000 | 1u << 11 | 1u << 10));  // x2APIC enable: reserved
  CHECK_FALSE(a.apic.write_base_msr(0xFEE00001 | 1u << 11));
  CHECK_FALSE(a.apic.write_base_msr(0x1000000000ull | 1u << 11));        // past 36 bits
  CHECK(a.moves.empty());
  a.enable();
  a.self_ipi(0x40);
  a.wr(kTpr, 0x20);
  REQUIRE(a.apic.write_base_msr(0xFED00000 | 1u << 11));  // relocate, BSP stays
  CHECK(a.apic.base_msr() == (0xFED00000 | 1u << 11 | 1u << 8));
  REQUIRE(a.moves.size() == 1);
  CHECK(a.moves[0].old_base == 0xFEE00000);
  CHECK(a.moves[0].new_base == 0xFED00000);
  CHECK(a.moves[0].now_on);
  CHECK(a.rd(kTpr) == 0x20);  // state kept
  REQUIRE(a.apic.write_base_msr(0xFED00000));  // hardware disable
  CHECK_FALSE(a.moves.back().now_on);
  CHECK_FALSE(a.apic.interrupt_pending());
  a.apic.receive(ApicMessage{ApicDelivery::kFixed, 0x50});
  REQUIRE(a.apic.write_base_msr(0xFEE00000 | 1u << 11));  // enabled again: power-up state
  CHECK(a.rd(kTpr) == 0);
  CHECK(a.rd(kSpiv) == 0xFF);
  CHECK_FALSE(a.apic.requested(0x40));
  CHECK_FALSE(a.apic.requested(0x50));
}
