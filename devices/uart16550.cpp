#include "bt86/devices/uart16550.h"

namespace bt86 {

namespace {
enum Reg : uint64_t { kData = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7 };
constexpr uint8_t kLsrDataReady = 0x01, kLsrOverrun = 0x02, kLsrThrEmpty = 0x20, kLsrIdle = 0x40;
constexpr uint8_t kLsrErrors = 0x1E;  // OE, PE, FE, BI
constexpr uint8_t kIerRx = 0x01, kIerThre = 0x02, kIerLine = 0x04, kIerModem = 0x08;
constexpr uint8_t kIirNone = 0x01, kIirLine = 0x06, kIirRx = 0x04, kIirTimeout = 0x0C,
                  kIirThre = 0x02, kIirModem = 0x00;
constexpr uint8_t kMcrOut2 = 0x08;
// The lines of an attached terminal: CTS, DSR and DCD asserted, no ring.
constexpr uint8_t kAttachedLines = 0xB0;
constexpr uint64_t kUartClockHz = 1'843'200;
}  // namespace

Uart16550::Uart16550(Sink sink, Wiring wiring)
    : ByteDevice(kPorts), sink_(std::move(sink)), irq_(wiring.irq), clock_(wiring.clock) {
  if (wiring.clock && wiring.events) timeout_timer_.emplace(*wiring.events);
}

uint8_t Uart16550::read8(uint64_t offset) {
  switch (offset) {
    case kData: return dlab() ? static_cast<uint8_t>(divisor_) : pop_rx();
    case kIer: return dlab() ? static_cast<uint8_t>(divisor_ >> 8) : ier_;
    case kIir: return read_iir();
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: return read_lsr();
    case kMsr: return read_msr();
    default: return scr_;
  }
}

void Uart16550::write8(uint64_t offset, uint8_t v) {
  switch (offset) {
    case kData:
      if (dlab()) divisor_ = static_cast<uint16_t>((divisor_ & 0xFF00) | v);
      else transmit(v);
      return;
    case kIer:
      if (dlab()) divisor_ = static_cast<uint16_t>((divisor_ & 0x00FF) | v << 8);
      else write_ier(v);
      return;
    case kIir: write_fcr(v); return;
    case kLcr: lcr_ = v; return;
    case kMcr: write_mcr(v); return;
    case kScr: scr_ = v; return;
    default: return;  // LSR and MSR are read-only
  }
}

std::size_t Uart16550::trigger_level() const {
  static constexpr std::size_t kLevels[4] = {1, 4, 8, 14};
  return kLevels[fcr_ >> 6];
}

uint8_t Uart16550::modem_lines() const {
  if (!loopback()) return kAttachedLines;
  // Loopback wires the modem outputs to the inputs: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
  return static_cast<uint8_t>((mcr_ & 0x02) << 3 | (mcr_ & 0x01) << 5 | (mcr_ & 0x04) << 4 |
                              (mcr_ & 0x08) << 4);
}

uint8_t Uart16550::identify() const {
  // Priority: line status, received data (or timeout), THR empty, modem status.
  if ((ier_ & kIerLine) && (line_errors_ & kLsrErrors)) return kIirLine;
  if (ier_ & kIerRx) {
    if (fifo_enabled()) {
      if (rx_.size() >= trigger_level()) return kIirRx;
      if (timeout_) return kIirTimeout;
    } else if (!rx_.empty()) {
      return kIirRx;
    }
  }
  if ((ier_ & kIerThre) && thre_pending_) return kIirThre;
  if ((ier_ & kIerModem) && (msr_deltas_ & 0x0F)) return kIirModem;
  return kIirNone;
}

void Uart16550::update_irq() {
  irq_.set(identify() != kIirNone && (mcr_ & kMcrOut2) && !loopback());
}

void Uart16550::transmit(uint8_t byte) {
  // Writing THR clears a THRE interrupt; the byte leaves at once, THR is
  // empty again and the interrupt returns: a fresh edge on the line.
  thre_pending_ = false;
  update_irq();
  if (loopback()) {
    push_rx(byte);
  } else {
    ++transmitted_;
    sink_(byte);
  }
  thre_pending_ = true;
  update_irq();
}

void Uart16550::receive(uint8_t byte) {
  if (loopback()) return;  // the receiver hears only the transmitter
  push_rx(byte);
}

std::size_t Uart16550::rx_room() const {
  if (loopback()) return 0;
  return rx_.size() < rx_capacity() ? rx_capacity() - rx_.size() : 0;
}

void Uart16550::push_rx(uint8_t byte) {
  if (rx_.size() >= rx_capacity()) {
    // Overrun. With FIFOs the new character dies in the shift register; the
    // 16450 holding register is overwritten by it.
    line_errors_ |= kLsrOverrun;
    ++overruns_;
    if (!fifo_enabled()) rx_.back() = byte;
  } else {
    rx_.push_back(byte);
  }
  timeout_ = false;
  arm_timeout();
  update_irq();
}

uint8_t Uart16550::pop_rx() {
  if (!rx_.empty()) {
    last_rx_ = rx_.front();
    rx_.pop_front();
  }
  timeout_ = false;  // a read clears the indication and restarts the timer
  arm_timeout();
  update_irq();
  return last_rx_;
}

uint8_t Uart16550::read_iir() {
  uint8_t id = identify();
  if (id == kIirThre) {  // reading IIR while it reports THRE clears that interrupt
    thre_pending_ = false;
    update_irq();
  }
  return static_cast<uint8_t>(id | (fifo_enabled() ? 0xC0 : 0x00));
}

uint8_t Uart16550::read_lsr() {
  uint8_t value = static_cast<uint8_t>(line_errors_ | kLsrThrEmpty | kLsrIdle |
                                       (rx_.empty() ? 0 : kLsrDataReady));
  line_errors_ = 0;
  update_irq();
  return value;
}

uint8_t Uart16550::read_msr() {
  uint8_t value = static_cast<uint8_t>(modem_lines() | msr_deltas_);
  msr_deltas_ = 0;
  update_irq();
  return value;
}

void Uart16550::write_ier(uint8_t value) {
  uint8_t old = ier_;
  ier_ = value & 0x0F;
  // Enabling the THRE interrupt while THR is empty (always, here) raises it.
  if ((ier_ & kIerThre) && !(old & kIerThre)) thre_pending_ = true;
  update_irq();
}

void Uart16550::write_fcr(uint8_t value) {
  bool enable = value & 0x01;
  if (enable != fifo_enabled() || (enable && (value & 0x02))) {
    // Switching between FIFO and 16450 mode empties the FIFOs, as does the
    // receiver reset bit. The transmit FIFO (bit 2) is always empty here.
    rx_.clear();
    timeout_ = false;
  }
  // The other bits are only programmed while bit 0 is written as 1.
  fcr_ = enable ? value & 0xC9 : 0;
  arm_timeout();
  update_irq();
}

void Uart16550::write_mcr(uint8_t value) {
  uint8_t before = modem_lines();
  mcr_ = value & 0x1F;
  uint8_t after = modem_lines();
  uint8_t changed = before ^ after;
  if (changed & 0x10) msr_deltas_ |= 0x01;  // DCTS
  if (changed & 0x20) msr_deltas_ |= 0x02;  // DDSR
  if ((before & 0x40) && !(after & 0x40)) msr_deltas_ |= 0x04;  // TERI: RI's trailing edge
  if (changed & 0x80) msr_deltas_ |= 0x08;  // DDCD
  update_irq();
}

uint64_t Uart16550::char_time_ns() const {
  // Start bit, 5-8 data bits, optional parity, 1 or 2 stop bits.
  uint64_t bits = 1 + 5 + (lcr_ & 3) + (lcr_ & 0x08 ? 1 : 0) + (lcr_ & 0x04 ? 2 : 1);
  uint64_t divisor = divisor_ ? divisor_ : 0x10000;
  return bits * divisor * 16 * 1'000'000'000 / kUartClockHz;
}

void Uart16550::arm_timeout() {
  if (!fifo_enabled() || rx_.empty()) {
    if (timeout_timer_) timeout_timer_->cancel();
    return;
  }
  if (!timeout_timer_) {
    timeout_ = true;  // no clock: the four character times have always passed
    return;
  }
  timeout_timer_->arm(clock_->now_ns() + 4 * char_time_ns(), [this] {
    timeout_ = fifo_enabled() && !rx_.empty();
    update_irq();
  });
}

}  // namespace bt86
