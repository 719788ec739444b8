#include "bt86/devices/local_apic.h"

#include <algorithm>
#include <bit>

namespace bt86 {

namespace {
using namespace apic_reg;

constexpr uint32_t kLvtMasked = 1u << 16, kLvtRemoteIrr = 1u << 14, kLvtLevel = 1u << 15;
constexpr uint32_t kIcrLevelAssert = 1u << 14, kIcrLevelTrigger = 1u << 15, kIcrLogical = 1u << 11;
// ICR bits a write keeps: vector, delivery mode, destination mode, level,
// trigger mode, destination shorthand (delivery status reads 0: a message
// to this CPU is delivered at once).
constexpr uint32_t kIcrLowWritable = 0x000CCFFF;

ApicDelivery delivery_of(uint32_t reg) { return static_cast<ApicDelivery>((reg >> 8) & 7); }
}  // namespace

LocalApic::LocalApic(uint8_t id, Wiring wiring)
    : wiring_(std::move(wiring)), initial_id_(id),
      base_msr_(kDefaultBase | kBaseEnable | kBaseBsp),
      timer_(*wiring_.clock, *wiring_.events, wiring_.tsc, [this] { local_interrupt(kTimer); }) {
  reset();
}

// The power-up state (SDM vol. 3, 10.4.7.1): everything clear but DFR, SPIV
// (software-disabled) and the LVT entries, which are masked.
void LocalApic::reset() {
  id_ = uint32_t{initial_id_} << 24;
  tpr_ = ldr_ = esr_ = esr_pending_ = icr_low_ = icr_high_ = 0;
  dfr_ = 0xFFFFFFFF;
  spiv_ = 0xFF;
  lvt_.fill(kLvtMasked);
  isr_ = irr_ = tmr_ = {};
  nmi_pending_ = false;
  timer_.stop();
  timer_.set_mode(ApicTimer::Mode::kOneShot);
  timer_.set_initial(0);
  timer_.set_divide(0);
}

void LocalApic::set_virtual_wire() {
  lvt_[kLint0] = static_cast<uint32_t>(ApicDelivery::kExtInt) << 8;
  lvt_[kLint1] = static_cast<uint32_t>(ApicDelivery::kNmi) << 8;
}

int LocalApic::highest(const Bits& b) {
  for (int i = 7; i >= 0; --i)
    if (b[i]) return i * 32 + 31 - std::countl_zero(b[i]);
  return -1;
}

// PPR: the TPR, or the class of the highest interrupt in service if that
// is higher (SDM vol. 3, 10.8.3.1).
uint8_t LocalApic::ppr() const {
  int isrv = highest(isr_);
  uint32_t isr_class = isrv < 0 ? 0 : static_cast<uint32_t>(isrv) & 0xF0;
  return static_cast<uint8_t>((tpr_ & 0xF0) >= isr_class ? tpr_ : isr_class);
}

// APR: the priority this APIC would arbitrate with for a lowest-priority
// message (SDM vol. 3, 10.8.3.1, the P6 definition).
uint8_t LocalApic::apr() const {
  int isrv = highest(isr_), irrv = highest(irr_);
  uint32_t isr_class = isrv < 0 ? 0 : static_cast<uint32_t>(isrv) & 0xF0;
  uint32_t irr_class = irrv < 0 ? 0 : static_cast<uint32_t>(irrv) & 0xF0;
  if ((tpr_ & 0xF0) >= irr_class && (tpr_ & 0xF0) > isr_class) return static_cast<uint8_t>(tpr_);
  return static_cast<uint8_t>(std::max({tpr_ & 0xF0, isr_class, irr_class}));
}

bool LocalApic::extint_pending() const {
  if (!wiring_.extint) return false;
  if (!hardware_enabled()) return wiring_.extint->interrupt_pending();  // the 8259A's INTR goes straight through
  uint32_t lint0 = lvt_[kLint0];
  return !(lint0 & kLvtMasked) && delivery_of(lint0) == ApicDelivery::kExtInt && wiring_.extint->interrupt_pending();
}

bool LocalApic::interrupt_pending() const {
  if (extint_pending()) return true;
  if (!hardware_enabled()) return false;
  int v = highest(irr_);
  return v >= 0 && (static_cast<uint32_t>(v) & 0xF0) > (ppr() & 0xF0u);
}

uint8_t LocalApic::acknowledge() {
  if (extint_pending()) return wiring_.extint->acknowledge();  // ExtINT bypasses IRR, ISR and priorities
  int v = highest(irr_);
  if (!hardware_enabled() || v < 0 || (static_cast<uint32_t>(v) & 0xF0) <= (ppr() & 0xF0u)) return static_cast<uint8_t>(spiv_);  // spurious
  auto vector = static_cast<uint8_t>(v);
  set(irr_, vector, false);
  set(isr_, vector, true);
  return vector;
}

void LocalApic::eoi() {
  int v = highest(isr_);
  if (v < 0) return;
  auto vector = static_cast<uint8_t>(v);
  set(isr_, vector, false);
  const bool level = test(tmr_, vector);
  if (wiring_.on_eoi) wiring_.on_eoi(vector, level);
  if (!level) return;
  // A level-triggered interrupt: its source may assert it again.
  for (unsigned pin : {0u, 1u}) {
    uint32_t& lvt = lvt_[kLint0 + pin];
    if ((lvt & kLvtRemoteIrr) && (lvt & 0xFF) == vector) {
      lvt &= ~kLvtRemoteIrr;
      if (lint_level_[pin]) set_lint(pin, true);
    }
  }
}

void LocalApic::signal_error(uint32_t bits) {
  bool fresh = (esr_pending_ | bits) != esr_pending_;
  esr_pending_ |= bits;
  if (fresh) local_interrupt(kError);
}

void LocalApic::accept_fixed(uint8_t vector, bool level) {
  if (vector < 16) {  // vectors 0-15 are illegal
    signal_error(esr::kReceiveIllegalVector);
    return;
  }
  set(irr_, vector, true);
  set(tmr_, vector, level);
}

void LocalApic::local_interrupt(unsigned lvt) {
  uint32_t entry = lvt_[lvt];
  if (entry & kLvtMasked) return;
  ApicDelivery mode = lvt == kTimer || lvt == kError ? ApicDelivery::kFixed : delivery_of(entry);
  accept(ApicMessage{mode, static_cast<uint8_t>(entry & 0xFF), false});
}

void LocalApic::set_lint(unsigned pin, bool level) {
  if (pin > 1) return;
  bool rising = level && !lint_level_[pin];
  lint_level_[pin] = level;
  uint32_t& lvt = lvt_[kLint0 + pin];
  if (!hardware_enabled() || (lvt & kLvtMasked)) return;
  switch (delivery_of(lvt)) {
    case ApicDelivery::kFixed:
      if (lvt & kLvtLevel) {  // a level interrupt is requested again only after its EOI
        if (level && !(lvt & kLvtRemoteIrr)) {
          lvt |= kLvtRemoteIrr;
          accept_fixed(static_cast<uint8_t>(lvt & 0xFF), true);
        }
      } else if (rising) {
        accept_fixed(static_cast<uint8_t>(lvt & 0xFF), false);
      }
      break;
    case ApicDelivery::kNmi:
      if (rising) nmi_pending_ = true;
      break;
    default: break;  // ExtINT is read at acknowledge; SMI and INIT pins are not wired
  }
}

bool LocalApic::addressed(const ApicMessage& m) const {
  if (m.destination == 0xFF) return true;
  if (!m.logical) return m.destination == id_ >> 24;
  uint8_t logical_id = static_cast<uint8_t>(ldr_ >> 24);
  if ((dfr_ >> 28) == 0xF) return (m.destination & logical_id) != 0;  // flat model
  // Cluster model: the cluster in the high nibble, members in the low one.
  return (m.destination >> 4) == (logical_id >> 4) && (m.destination & logical_id & 0x0F) != 0;
}

bool LocalApic::receive(const ApicMessage& message) {
  return hardware_enabled() && addressed(message) && accept(message);
}

bool LocalApic::accept(const ApicMessage& m) {
  switch (m.delivery) {
    case ApicDelivery::kFixed:
    case ApicDelivery::kLowestPriority: {  // one CPU: this one has the lowest priority
      if (!software_enabled()) return false;
      bool fresh = m.vector >= 16 && !test(irr_, m.vector);
      accept_fixed(m.vector, m.level_triggered);
      return fresh;
    }
    case ApicDelivery::kNmi: nmi_pending_ = true; break;
    case ApicDelivery::kInit:
      if (!m.deassert && wiring_.on_init) wiring_.on_init();
      break;
    default: break;  // SMI: no SMM; StartUp: only a CPU waiting for SIPI takes it; ExtINT: from the pin only
  }
  return true;
}

void LocalApic::send_ipi() {
  ApicMessage m;
  m.delivery = delivery_of(icr_low_);
  m.vector = static_cast<uint8_t>(icr_low_ & 0xFF);
  m.level_triggered = icr_low_ & kIcrLevelTrigger;
  m.deassert = m.delivery == ApicDelivery::kInit && m.level_triggered && !(icr_low_ & kIcrLevelAssert);
  m.logical = icr_low_ & kIcrLogical;
  m.destination = static_cast<uint8_t>(icr_high_ >> 24);
  bool fixed = m.delivery == ApicDelivery::kFixed || m.delivery == ApicDelivery::kLowestPriority;
  if (fixed && m.vector < 16) {
    signal_error(esr::kSendIllegalVector);
    return;
  }
  m.level_triggered = false;  // IPIs are accepted as edges
  switch ((icr_low_ >> 18) & 3) {
    case 0: if (addressed(m)) accept(m); break;  // the destination field
    case 1:                                      // self
    case 2: accept(m); break;                    // all including self
    default: break;                              // all excluding self: no other CPU
  }
}

uint32_t LocalApic::lvt_writable(unsigned lvt) {
  switch (lvt) {
    case kTimer: return 0x000700FF;                   // vector, mask, timer mode
    case kLint0: case kLint1: return 0x0001A7FF;      // vector, delivery mode, polarity, trigger, mask
    case kError: return 0x000100FF;                   // vector, mask
    default: return 0x000107FF;                       // thermal, perf: vector, delivery mode, mask
  }
}

void LocalApic::write_lvt(unsigned lvt, uint32_t value) {
  uint32_t w = lvt_writable(lvt);
  value &= w;
  if (!software_enabled()) value |= kLvtMasked;  // a software-disabled APIC keeps every LVT masked
  lvt_[lvt] = (lvt_[lvt] & ~w) | value;
  if (lvt == kTimer) {
    static constexpr ApicTimer::Mode kModes[] = {ApicTimer::Mode::kOneShot, ApicTimer::Mode::kPeriodic,
                                                 ApicTimer::Mode::kTscDeadline, ApicTimer::Mode::kOneShot};
    timer_.set_mode(kModes[(value >> 17) & 3]);
  }
}

uint32_t LocalApic::read_register(uint32_t reg) {
  switch (reg) {
    case kId: return id_;
    case kVersion: return kVersionValue;
    case kTpr: return tpr_;
    case kApr: return apr();
    case kPpr: return ppr();
    case kEoi: case kRrd: return 0;
    case kLdr: return ldr_;
    case kDfr: return dfr_;
    case kSpiv: return spiv_;
    case kEsr: return esr_;
    case kIcrLow: return icr_low_;
    case kIcrHigh: return icr_high_;
    case kLvtTimer: case kLvtThermal: case kLvtPerf: case kLvtLint0: case kLvtLint1: case kLvtError:
      return lvt_[(reg - kLvtTimer) >> 4];
    case kTimerInitial: return timer_.initial();
    case kTimerCurrent: return timer_.current();
    case kTimerDivide: return timer_.divide();
    default: break;
  }
  if (reg >= kIsr && reg < kIsr + 0x80) return isr_[(reg - kIsr) >> 4];
  if (reg >= kTmr && reg < kTmr + 0x80) return tmr_[(reg - kTmr) >> 4];
  if (reg >= kIrr && reg < kIrr + 0x80) return irr_[(reg - kIrr) >> 4];
  signal_error(esr::kIllegalRegister);
  return 0;
}

void LocalApic::write_register(uint32_t reg, uint32_t value) {
  switch (reg) {
    case kId: id_ = value & 0xFF000000; break;
    case kTpr: tpr_ = value & 0xFF; break;
    case kEoi: eoi(); break;
    case kLdr: ldr_ = value & 0xFF000000; break;
    case kDfr: dfr_ = value | 0x0FFFFFFF; break;
    case kSpiv:
      spiv_ = value & 0x1FF;
      if (!software_enabled())
        for (uint32_t& l : lvt_) l |= kLvtMasked;
      break;
    case kEsr:  // a write makes the errors since the last write readable
      esr_ = esr_pending_;
      esr_pending_ = 0;
      break;
    case kIcrLow:
      icr_low_ = value & kIcrLowWritable;
      send_ipi();
      break;
    case kIcrHigh: icr_high_ = value & 0xFF000000; break;
    case kLvtTimer: case kLvtThermal: case kLvtPerf: case kLvtLint0: case kLvtLint1: case kLvtError:
      write_lvt((reg - kLvtTimer) >> 4, value);
      break;
    case kTimerInitial: timer_.set_initial(value); break;
    case kTimerDivide: timer_.set_divide(value); break;
    case kVersion: case kApr: case kPpr: case kRrd: case kTimerCurrent: break;  // read-only
    default:
      if (reg >= kIsr && reg < kIrr + 0x80) break;  // ISR, TMR, IRR: read-only
      signal_error(esr::kIllegalRegister);
      break;
  }
}

// Registers are 32 bits wide at 16-byte boundaries; a narrower read gets
// its bytes of one, a write takes effect only as an aligned dword (other
// accesses are undefined in the SDM and ignored here, as KVM does).
uint32_t LocalApic::read(uint64_t offset, unsigned size) {
  unsigned byte = offset & 0xF;
  if (byte + size > 4) return 0;
  uint32_t value = read_register(static_cast<uint32_t>(offset & ~uint64_t{0xF}));
  return size == 4 ? value : (value >> (8 * byte)) & ((1u << (8 * size)) - 1);
}

void LocalApic::write(uint64_t offset, unsigned size, uint32_t value) {
  if (size != 4 || (offset & 0xF)) return;
  write_register(static_cast<uint32_t>(offset), value);
}

bool LocalApic::write_base_msr(uint64_t value) {
  // Reserved: bits 0-7, 9, 10 (x2APIC enable: no x2APIC) and past the
  // physical address width.
  if (value & ~(kBaseAddressMask | kBaseEnable | kBaseBsp)) return false;
  uint64_t old = base_msr_;
  base_msr_ = (value & ~kBaseBsp) | (old & kBaseBsp);  // BSP is read-only
  bool was_on = old & kBaseEnable, now_on = hardware_enabled();
  if (was_on && !now_on) timer_.stop();
  // Enabled again after a hardware disable, the APIC starts from its
  // power-up state (SDM vol. 3, 10.4.3).
  if (!was_on && now_on) reset();
  if (wiring_.on_relocate && (old != base_msr_))
    wiring_.on_relocate(old & kBaseAddressMask, was_on, base_address(), now_on);
  return true;
}

}  // namespace bt86
