// One Intel 8259A programmable interrupt controller: the register logic of
// a single chip, without ports or cascade wiring (Pic8259Pair adds those).
// Only the 8086 mode is modelled; the 8080 call-vector format is not.
#pragma once
#include <cstdint>

namespace bt86 {

class Pic8259 {
public:
  // cascade_inputs: on the master, the IR inputs that carry a slave (they
  // are excluded from in-service blocking in special fully nested mode).
  explicit Pic8259(uint8_t vector_base, uint8_t imr, uint8_t cascade_inputs = 0);

  // The CPU side: a0 is the chip's A0 address line (port 0x20 -> 0, 0x21 -> 1).
  void write(unsigned a0, uint8_t value);
  uint8_t read(unsigned a0);  // may act as an acknowledge (poll mode)

  // The device side: the level on input ir (0-7).
  void set_input(unsigned ir, bool level);
  // Inputs whose bit is set are level-triggered (the ELCR; ICW1's LTIM
  // makes every input level-triggered on top of it).
  void set_level_triggered(uint8_t mask);
  uint8_t level_triggered() const { return elcr_; }

  // The INT output: the request that would be acknowledged now, or -1.
  int pending() const;
  bool output() const { return pending() >= 0; }

  // The first INTA pulse. Returns the IR that was acknowledged; a request
  // that vanished answers IR7 with no in-service bit set (spurious).
  struct Ack {
    unsigned ir;
    bool spurious;
  };
  Ack acknowledge();

  // Lost-tick catch-up, a virtualization policy rather than an 8259A
  // feature (KVM's PIT "reinject" mode does the same): on these inputs an
  // edge request that is forgotten before it is acknowledged (its line fell
  // again, as the PIT's does every period) is owed, up to limit, and each
  // acknowledge of the input re-requests one owed edge while the line is
  // high. A guest that counts timer interrupts then keeps time even when
  // the host held its vCPU longer than a period. Edges that come while the
  // input is masked are not owed; what is owed stays owed across masking
  // (Linux masks the line while its handler runs) and goes at ICW1.
  void set_catch_up(uint8_t inputs, uint32_t limit);
  uint64_t caught_up() const { return caught_up_; }

  uint8_t vector_base() const { return vector_base_; }
  uint8_t irr() const { return irr_; }
  uint8_t isr() const { return isr_; }
  uint8_t imr() const { return imr_; }
  bool initializing() const { return init_step_ != 0; }
  bool auto_eoi() const { return auto_eoi_; }
  bool special_mask() const { return special_mask_; }
  unsigned lowest_priority() const { return (priority_base_ + 7) & 7; }

private:
  void icw1(uint8_t value);
  void init_word(uint8_t value);
  void ocw2(uint8_t value);
  void ocw3(uint8_t value);
  uint8_t poll();
  bool level_mode(unsigned ir) const { return ltim_ || (elcr_ >> ir & 1); }
  // The highest-priority IR among the bits of mask, or -1.
  int highest(uint8_t mask) const;
  unsigned rank(unsigned ir) const { return (ir - priority_base_) & 7; }  // 0 = highest
  void end_of_interrupt(unsigned ir, bool rotate);

  uint8_t cascade_inputs_;
  uint8_t inputs_ = 0;  // current levels on IR0-7
  uint8_t irr_ = 0, isr_ = 0, imr_;
  uint8_t elcr_ = 0;
  uint8_t vector_base_;
  unsigned priority_base_ = 0;  // the IR with the highest priority
  // Initialization: 0 = operational, else the ICW expected next (2, 3, 4).
  unsigned init_step_ = 0;
  bool single_ = false, need_icw4_ = false, ltim_ = false;
  bool auto_eoi_ = false, rotate_on_aeoi_ = false, special_fully_nested_ = false;
  bool special_mask_ = false, read_isr_ = false, poll_pending_ = false;
  uint8_t catch_up_ = 0;
  uint32_t catch_up_limit_ = 0;
  uint32_t owed_[8] = {};
  uint64_t caught_up_ = 0;
};

}  // namespace bt86
