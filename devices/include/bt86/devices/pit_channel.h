// One counter of an Intel 8254. It is never clocked: every query takes the
// current input-clock tick T and computes the counting element and the OUT
// pin from when the count was loaded, so its cost does not depend on the
// rate the guest programs. Ticks are the 1.193182 MHz input clock.
#pragma once
#include <cstdint>
#include <optional>

namespace bt86 {

class PitChannel {
public:
  explicit PitChannel(bool gate) : gate_(gate) {}

  // A control word for this counter (RW = 1, 2 or 3; mode 0-7; BCD).
  void control(unsigned rw, unsigned mode, bool bcd, uint64_t t);
  void write(uint8_t value, uint64_t t);  // the counter's port
  uint8_t read(uint64_t t);               // the counter's port
  void latch_count(uint64_t t);           // counter latch / read-back
  void latch_status(uint64_t t);          // read-back
  void set_gate(bool level, uint64_t t);

  bool gate() const { return gate_; }
  bool out(uint64_t t) const;
  // The counting element as the chip would output it (BCD-encoded in BCD mode).
  uint16_t count(uint64_t t) const;
  bool null_count(uint64_t t) const { return t < null_until_; }
  uint8_t status(uint64_t t) const;
  unsigned mode() const { return mode_; }
  // The first tick after t at which OUT rises (the end of the one-tick low
  // pulse in modes 2, 4 and 5 counts), if the current programming has one.
  std::optional<uint64_t> next_rise(uint64_t t) const;

private:
  // Where the counter stands at tick t.
  struct Phase {
    bool counting;  // false: not loaded/triggered yet
    uint64_t d;     // clocks counted since the load
    uint32_t n;     // the count in effect
    uint32_t off;   // mode 3: the half-cycle the load started in
  };
  Phase phase(uint64_t t) const;
  // Makes a mode 2/3 count that was written while counting take effect once
  // its reload point has passed, so later changes start from a settled state.
  void settle(uint64_t t);
  void load(uint32_t n, uint64_t at);
  uint32_t decode(uint16_t raw) const;
  uint32_t modulus() const { return bcd_ ? 10000 : 65536; }
  // Mode 2/3: the tick where a count written now takes over (the end of the
  // period, or of the half-cycle in mode 3; notes which half comes next).
  uint64_t reload_point(uint64_t t);
  bool retriggered_mode() const { return mode_ == 1 || mode_ == 5; }

  unsigned rw_ = 3, mode_ = 0, programmed_mode_ = 0;
  bool bcd_ = false;
  bool gate_;
  // Count register: the raw value being written, and the write flip-flop.
  uint16_t cr_ = 0;
  bool cr_msb_next_ = false;
  bool have_count_ = false;   // a full count was written since the control word
  bool armed_ = false;        // the counting element holds a count
  uint32_t n_ = 0x10000;      // the count in effect (decoded)
  uint64_t load_tick_ = 0;    // the tick at which d = d_base_
  uint64_t d_base_ = 0;
  uint32_t off_ = 0;
  bool suspended_ = false;    // gate low in modes 0, 2, 3, 4
  std::optional<uint32_t> pending_n_;  // mode 2/3 count awaiting its reload point
  uint64_t pending_at_ = 0;
  bool pending_low_start_ = false;  // mode 3: the pending count starts a low half
  uint64_t null_until_ = UINT64_MAX;
  uint16_t idle_ce_ = 0;      // what reads show before the first load
  // Output latch and read flip-flops.
  std::optional<uint16_t> latched_count_;
  std::optional<uint8_t> latched_status_;
  bool read_msb_next_ = false;  // the read flip-flop (latched or not)
};

}  // namespace bt86
