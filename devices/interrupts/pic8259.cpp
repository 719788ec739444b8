#include "bt86/devices/pic8259.h"

#include <algorithm>
#include <iterator>

namespace bt86 {

Pic8259::Pic8259(uint8_t vector_base, uint8_t imr, uint8_t cascade_inputs)
    : cascade_inputs_(cascade_inputs), imr_(imr), vector_base_(vector_base & 0xF8) {}

void Pic8259::write(unsigned a0, uint8_t value) {
  if (a0 & 1) {
    if (init_step_) init_word(value);
    else imr_ = value;  // OCW1
    return;
  }
  if (value & 0x10) icw1(value);
  else if (value & 0x08) ocw3(value);
  else ocw2(value);
}

uint8_t Pic8259::read(unsigned a0) {
  // After a poll command the next read, at either address, is the poll word.
  if (poll_pending_) return poll();
  if (a0 & 1) return imr_;
  return read_isr_ ? isr_ : irr_;
}

void Pic8259::set_input(unsigned ir, bool level) {
  uint8_t bit = static_cast<uint8_t>(1u << ir);
  bool was = inputs_ & bit;
  if (level) {
    inputs_ |= bit;
    if (!was || level_mode(ir)) irr_ |= bit;
  } else {
    // In both trigger modes a request has to be held until it is
    // acknowledged; one that goes away is forgotten (and an INTA that finds
    // nothing answers IR7, the datasheet's "default IR7").
    inputs_ &= static_cast<uint8_t>(~bit);
    if ((catch_up_ & irr_ & ~imr_ & bit) && !level_mode(ir) && owed_[ir] < catch_up_limit_) ++owed_[ir];
    irr_ &= static_cast<uint8_t>(~bit);
  }
}

void Pic8259::set_catch_up(uint8_t inputs, uint32_t limit) {
  catch_up_ = inputs;
  catch_up_limit_ = limit;
  for (unsigned ir = 0; ir < 8; ++ir)
    if (!(inputs >> ir & 1)) owed_[ir] = 0;
}

void Pic8259::set_level_triggered(uint8_t mask) {
  elcr_ = mask;
  uint8_t level = ltim_ ? 0xFF : elcr_;
  irr_ = static_cast<uint8_t>((irr_ & ~level) | (inputs_ & level));
}

int Pic8259::highest(uint8_t mask) const {
  for (unsigned i = 0; i < 8; ++i) {
    unsigned ir = (priority_base_ + i) & 7;
    if (mask >> ir & 1) return static_cast<int>(ir);
  }
  return -1;
}

int Pic8259::pending() const {
  uint8_t requests = irr_ & ~imr_;
  if (special_mask_) {
    // Special mask mode: any unmasked level not itself in service may
    // interrupt, lower priorities included.
    return highest(requests & ~isr_);
  }
  int ir = highest(requests);
  if (ir < 0) return -1;
  int current = highest(isr_);
  if (current < 0 || rank(ir) < rank(current)) return ir;
  // Special fully nested mode: a slave whose interrupt is in service may
  // still pass on a higher-priority request of its own.
  bool cascade = cascade_inputs_ >> ir & 1;
  if (special_fully_nested_ && cascade && ir == current) return ir;
  return -1;
}

Pic8259::Ack Pic8259::acknowledge() {
  int found = pending();
  if (found < 0) return {7, true};
  auto ir = static_cast<unsigned>(found);
  uint8_t bit = static_cast<uint8_t>(1u << ir);
  // An edge request is consumed; a level request stays as long as the line.
  if (!level_mode(ir)) {
    irr_ &= static_cast<uint8_t>(~bit);
    if (owed_[ir] && (inputs_ & bit)) {
      --owed_[ir];
      ++caught_up_;
      irr_ |= bit;
    }
  }
  if (auto_eoi_) {
    if (rotate_on_aeoi_) priority_base_ = (ir + 1) & 7;
  } else {
    isr_ |= bit;
  }
  return {ir, false};
}

uint8_t Pic8259::poll() {
  poll_pending_ = false;
  if (pending() < 0) return 0x00;
  return static_cast<uint8_t>(0x80 | acknowledge().ir);
}

void Pic8259::icw1(uint8_t value) {
  init_step_ = 2;
  need_icw4_ = value & 0x01;
  single_ = value & 0x02;
  ltim_ = value & 0x08;
  // The datasheet's list: edge sense reset (an input must rise again), IMR
  // cleared, IR7 lowest priority, special mask off, status read = IRR, ICW4
  // functions zeroed when no ICW4 follows. ISR is cleared too, as every PC
  // chipset does, so a re-initialization never leaves a level stuck.
  uint8_t level = ltim_ ? 0xFF : elcr_;
  irr_ = inputs_ & level;
  isr_ = 0;
  imr_ = 0;
  std::fill(std::begin(owed_), std::end(owed_), 0u);
  priority_base_ = 0;
  special_mask_ = read_isr_ = poll_pending_ = false;
  rotate_on_aeoi_ = false;
  if (!need_icw4_) auto_eoi_ = special_fully_nested_ = false;
}

void Pic8259::init_word(uint8_t value) {
  switch (init_step_) {
    case 2:  // ICW2: T7-T3 of the vector
      vector_base_ = value & 0xF8;
      init_step_ = single_ ? (need_icw4_ ? 4 : 0) : 3;
      return;
    case 3:  // ICW3: the cascade wiring, fixed on a PC (slave on IR2, ID 2)
      init_step_ = need_icw4_ ? 4 : 0;
      return;
    default:  // ICW4: uPM (8086 assumed), AEOI, buffered mode (ignored), SFNM
      auto_eoi_ = value & 0x02;
      special_fully_nested_ = value & 0x10;
      init_step_ = 0;
      return;
  }
}

void Pic8259::end_of_interrupt(unsigned ir, bool rotate) {
  isr_ &= static_cast<uint8_t>(~(1u << ir));
  if (rotate) priority_base_ = (ir + 1) & 7;
}

void Pic8259::ocw2(uint8_t value) {
  unsigned level = value & 7;
  switch (value >> 5) {
    case 0: rotate_on_aeoi_ = false; return;
    case 4: rotate_on_aeoi_ = true; return;
    case 1:    // non-specific EOI
    case 5: {  // rotate on non-specific EOI
      // In special mask mode an in-service level that is masked is skipped.
      int ir = highest(special_mask_ ? isr_ & ~imr_ : isr_);
      if (ir >= 0) end_of_interrupt(static_cast<unsigned>(ir), value >> 5 == 5);
      return;
    }
    case 3: end_of_interrupt(level, false); return;  // specific EOI
    case 7: end_of_interrupt(level, true); return;   // rotate on specific EOI
    case 6: priority_base_ = (level + 1) & 7; return;  // set priority: level is lowest
    default: return;                                    // 2: no operation
  }
}

void Pic8259::ocw3(uint8_t value) {
  if (value & 0x04) poll_pending_ = true;
  if (value & 0x02) read_isr_ = value & 0x01;
  if (value & 0x40) special_mask_ = value & 0x20;
}

}  // namespace bt86
