// The CPU's local APIC in xAPIC mode (SDM vol. 3, chapter 10): a 4 KiB
// register page on the MMIO bus (0xFEE00000, relocatable through
// IA32_APIC_BASE), interrupt acceptance with IRR/ISR/TMR and the priority
// rules (TPR, PPR), EOI, the LVT, the ICR for IPIs to itself, the error
// status register and the timer. It is also the CPU's interrupt controller:
// the 8259A pair reaches the CPU through its LINT0 pin (ExtINT, "virtual
// wire"), or directly while the APIC is hardware-disabled.
#pragma once
#include <array>
#include <cstdint>
#include <functional>

#include "bt86/devices/apic_message.h"
#include "bt86/devices/apic_timer.h"
#include "bt86/devices/device.h"
#include "bt86/devices/interrupt_controller.h"

namespace bt86 {

namespace apic_reg {
// Register offsets in the APIC page (each register is 16-byte aligned).
constexpr uint32_t kId = 0x20, kVersion = 0x30, kTpr = 0x80, kApr = 0x90, kPpr = 0xA0, kEoi = 0xB0,
                   kRrd = 0xC0, kLdr = 0xD0, kDfr = 0xE0, kSpiv = 0xF0, kIsr = 0x100, kTmr = 0x180,
                   kIrr = 0x200, kEsr = 0x280, kIcrLow = 0x300, kIcrHigh = 0x310, kLvtTimer = 0x320,
                   kLvtThermal = 0x330, kLvtPerf = 0x340, kLvtLint0 = 0x350, kLvtLint1 = 0x360,
                   kLvtError = 0x370, kTimerInitial = 0x380, kTimerCurrent = 0x390, kTimerDivide = 0x3E0;
}  // namespace apic_reg

namespace esr {
constexpr uint32_t kSendIllegalVector = 1u << 5, kReceiveIllegalVector = 1u << 6, kIllegalRegister = 1u << 7;
}

class LocalApic final : public Device, public InterruptController {
public:
  static constexpr uint64_t kDefaultBase = 0xFEE00000, kSize = 0x1000;
  // Version 0x14 (an integrated xAPIC), LVT entries 0-5 (timer, thermal,
  // performance counters, LINT0, LINT1, error), no EOI-broadcast suppression.
  static constexpr uint32_t kVersionValue = 0x00050014;
  // IA32_APIC_BASE bits.
  static constexpr uint64_t kBaseBsp = 1u << 8, kBaseEnable = 1u << 11;
  static constexpr uint64_t kBaseAddressMask = 0x0000000FFFFFF000ull;  // a 36-bit physical address

  struct Wiring {
    const Clock* clock = nullptr;
    EventQueue* events = nullptr;
    const GuestTsc* tsc = nullptr;  // for TSC-deadline mode
    // The 8259A pair's INTR on LINT0 (ExtINT acknowledges it).
    InterruptController* extint = nullptr;
    // Every EOI, with whether the vector was level-triggered (then the
    // I/O APICs see it as the EOI broadcast).
    std::function<void(uint8_t vector, bool level)> on_eoi;
    // An INIT addressed to this CPU (which resets it).
    std::function<void()> on_init;
    // The register page moved or (dis)appeared: where it was and where it
    // is now (mapped when enabled).
    std::function<void(uint64_t old_base, bool was_on, uint64_t new_base, bool now_on)> on_relocate;
  };

  LocalApic(uint8_t id, Wiring wiring);

  std::string_view name() const override { return "local-apic"; }
  uint32_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint32_t value) override;

  // InterruptController: what the CPU sees.
  bool interrupt_pending() const override;
  uint8_t acknowledge() override;
  bool nmi_pending() const override { return nmi_pending_; }
  void acknowledge_nmi() override { nmi_pending_ = false; }

  // A message on the APIC bus (from an I/O APIC): accepted if it
  // addresses this APIC. False when it made no new request: a fixed
  // interrupt whose vector was requested already.
  bool receive(const ApicMessage& message);
  // The level on LINT0 or LINT1 changed (LINT0 in ExtINT mode is read
  // from `extint` instead).
  void set_lint(unsigned pin, bool level);

  // IA32_APIC_BASE. A write with reserved bits set is refused (false: #GP).
  uint64_t base_msr() const { return base_msr_; }
  bool write_base_msr(uint64_t value);
  bool hardware_enabled() const { return base_msr_ & kBaseEnable; }
  uint64_t base_address() const { return base_msr_ & kBaseAddressMask; }
  // IA32_TSC_DEADLINE.
  uint64_t tsc_deadline() const { return timer_.deadline(); }
  void write_tsc_deadline(uint64_t tsc) { timer_.set_deadline(tsc); }

  // What a PC BIOS leaves on the bootstrap processor: LINT0 as ExtINT
  // (the 8259A pair's virtual wire) and LINT1 as NMI, both unmasked.
  void set_virtual_wire();

  // For tests and diagnostics.
  uint8_t ppr() const;
  bool in_service(uint8_t vector) const { return test(isr_, vector); }
  bool requested(uint8_t vector) const { return test(irr_, vector); }
  bool level_triggered(uint8_t vector) const { return test(tmr_, vector); }

private:
  using Bits = std::array<uint32_t, 8>;  // one bit per vector
  static bool test(const Bits& b, uint8_t v) { return b[v >> 5] >> (v & 31) & 1; }
  static void set(Bits& b, uint8_t v, bool on) {
    if (on) b[v >> 5] |= 1u << (v & 31);
    else b[v >> 5] &= ~(1u << (v & 31));
  }
  static int highest(const Bits& b);  // -1 when empty

  enum Lvt : unsigned { kTimer, kThermal, kPerf, kLint0, kLint1, kError, kLvtCount };
  static uint32_t lvt_writable(unsigned lvt);
  void reset();
  bool software_enabled() const { return spiv_ & 0x100; }
  uint32_t read_register(uint32_t reg);
  void write_register(uint32_t reg, uint32_t value);
  void write_lvt(unsigned lvt, uint32_t value);
  uint8_t apr() const;
  void eoi();
  void send_ipi();
  bool addressed(const ApicMessage& m) const;
  // Delivers a message this APIC accepted (false: no new request).
  bool accept(const ApicMessage& m);
  void accept_fixed(uint8_t vector, bool level);
  // An interrupt from one of the local sources (an LVT entry).
  void local_interrupt(unsigned lvt);
  void signal_error(uint32_t bits);
  bool extint_pending() const;

  Wiring wiring_;
  uint8_t initial_id_;
  uint64_t base_msr_;
  uint32_t id_ = 0, tpr_ = 0, ldr_ = 0, dfr_ = 0, spiv_ = 0, esr_ = 0, esr_pending_ = 0;
  uint32_t icr_low_ = 0, icr_high_ = 0;
  std::array<uint32_t, kLvtCount> lvt_{};
  Bits isr_{}, irr_{}, tmr_{};
  std::array<bool, 2> lint_level_{};
  bool nmi_pending_ = false;
  ApicTimer timer_;
};

}  // namespace bt86
