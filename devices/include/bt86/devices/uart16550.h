// National Semiconductor 16550A UART, eight ports (COM1 at 0x3F8, IRQ4).
//
// Transmission is instantaneous: a THR write reaches the sink at once and
// THR/TSR are always empty again, so THRE and TEMT always read 1 and a THRE
// interrupt (when enabled) follows every write. Reception has the real
// 16-byte FIFO (or the 16450's single holding register), trigger levels,
// overrun and the character timeout. As on every PC serial card, the
// interrupt output reaches the ISA line only while MCR OUT2 is set (and not
// in loopback, where the chip forces OUT2 inactive).
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

#include "bt86/devices/byte_device.h"
#include "bt86/devices/clock.h"
#include "bt86/devices/irq.h"

namespace bt86 {

class Uart16550 final : public ByteDevice {
public:
  static constexpr uint16_t kCom1 = 0x3F8, kCom2 = 0x2F8;
  static constexpr unsigned kCom1Irq = 4, kCom2Irq = 3;
  static constexpr uint64_t kPorts = 8;
  static constexpr std::size_t kFifoSize = 16;
  using Sink = std::function<void(uint8_t)>;

  struct Wiring {
    IrqLine irq;  // unconnected: no interrupts reach anyone
    // The character timeout counts four character times at the programmed
    // baud rate; without a clock and a queue it fires at once.
    const Clock* clock = nullptr;
    EventQueue* events = nullptr;
  };

  explicit Uart16550(Sink sink) : Uart16550(std::move(sink), Wiring{}) {}
  Uart16550(Sink sink, Wiring wiring);

  std::string_view name() const override { return "uart16550"; }

  // The host end of the line. receive() takes a byte into the receiver; with
  // no room (see rx_room) the byte is lost and LSR reports an overrun.
  void receive(uint8_t byte);
  // How many bytes receive() can take now without an overrun. Zero in
  // loopback mode, where the receiver listens to the transmitter.
  std::size_t rx_room() const;

  uint64_t bytes_transmitted() const { return transmitted_; }
  uint64_t overruns() const { return overruns_; }
  uint16_t divisor() const { return divisor_; }
  bool interrupt_line() const { return irq_.level(); }

protected:
  uint8_t read8(uint64_t offset) override;
  void write8(uint64_t offset, uint8_t value) override;

private:
  bool dlab() const { return lcr_ & 0x80; }
  bool loopback() const { return mcr_ & 0x10; }
  bool fifo_enabled() const { return fcr_ & 0x01; }
  std::size_t rx_capacity() const { return fifo_enabled() ? kFifoSize : 1; }
  std::size_t trigger_level() const;
  uint8_t modem_lines() const;  // MSR bits 4-7 as the line stands
  uint8_t identify() const;     // IIR bits 0-3: the highest pending interrupt

  void transmit(uint8_t byte);
  void push_rx(uint8_t byte);
  uint8_t pop_rx();
  uint8_t read_iir();
  uint8_t read_lsr();
  uint8_t read_msr();
  void write_ier(uint8_t value);
  void write_fcr(uint8_t value);
  void write_mcr(uint8_t value);
  void arm_timeout();
  uint64_t char_time_ns() const;
  void update_irq();

  Sink sink_;
  IrqLine irq_;
  const Clock* clock_;
  std::optional<TimerSlot> timeout_timer_;

  uint16_t divisor_ = 12;  // 9600 baud, what a BIOS leaves
  uint8_t ier_ = 0, lcr_ = 0x03, mcr_ = 0, scr_ = 0, fcr_ = 0;
  std::deque<uint8_t> rx_;
  uint8_t last_rx_ = 0;       // what RBR reads once the FIFO is empty
  uint8_t line_errors_ = 0;   // LSR OE/PE/FE/BI, cleared by reading LSR
  uint8_t msr_deltas_ = 0;    // MSR bits 0-3, cleared by reading MSR
  bool thre_pending_ = false;  // the THRE interrupt latch
  bool timeout_ = false;       // the character-timeout indication
  uint64_t transmitted_ = 0, overruns_ = 0;
};

}  // namespace bt86
