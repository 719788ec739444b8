// Interrupt request lines. A device drives the level of its ISA line; the
// interrupt controller (Pic8259Pair) is the sink that turns levels and
// edges into requests.
#pragma once

namespace bt86 {

struct InterruptSink {
  virtual ~InterruptSink() = default;
  // line is the ISA IRQ number (0-15); level true = asserted.
  virtual void set_irq(unsigned line, bool level) = 0;
};

// One device's end of one line: remembers the level it drives and forwards
// only changes. Unconnected (default-constructed) lines go nowhere.
class IrqLine {
public:
  IrqLine() = default;
  IrqLine(InterruptSink& sink, unsigned line) : sink_(&sink), line_(line) {}

  void set(bool level) {
    if (level == level_) return;
    level_ = level;
    if (sink_) sink_->set_irq(line_, level);
  }
  void raise() { set(true); }
  void lower() { set(false); }
  // A fresh rising edge even if the line is already high (low, then high).
  void pulse() {
    lower();
    raise();
  }
  bool level() const { return level_; }
  bool connected() const { return sink_ != nullptr; }
  unsigned line() const { return line_; }

private:
  InterruptSink* sink_ = nullptr;
  unsigned line_ = 0;
  bool level_ = false;
};

}  // namespace bt86
