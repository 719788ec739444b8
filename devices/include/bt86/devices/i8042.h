// The i8042 keyboard controller: data port 0x60, status/command port 0x64,
// IRQ1 for the keyboard and IRQ12 for the auxiliary (mouse) port. It
// carries the PC's two legacy side jobs, the A20 gate and the CPU reset
// line, which it reports through callbacks. A minimal keyboard answers
// probes (Ps2Keyboard); no mouse is attached, so bytes sent to the aux
// device come back as a timeout (0xFE with status bit 6), which drivers
// take as "no device" without waiting.
//
// Port 0x92 (SystemControlPortA, the chipset's "fast A20" and fast reset)
// shares the A20 gate: the gate is open when either source opens it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>

#include "bt86/devices/byte_device.h"
#include "bt86/devices/irq.h"
#include "bt86/devices/ps2_keyboard.h"
#include "bt86/devices/ps2_scancodes.h"

namespace bt86 {

class I8042 {
public:
  static constexpr uint16_t kDataPort = 0x60, kCommandPort = 0x64;
  static constexpr unsigned kKeyboardIrq = 1, kAuxIrq = 12;

  // on_reset: the guest pulsed the CPU reset line. on_a20: the A20 gate
  // opened (true) or closed. The gate starts open, as a BIOS leaves it.
  I8042(IrqLine irq1, IrqLine irq12, std::function<void()> on_reset,
        std::function<void(bool)> on_a20);

  Device& data_device() { return data_port_; }        // map at kDataPort, 1 port
  Device& command_device() { return command_port_; }  // map at kCommandPort, 1 port

  bool a20() const { return a20_; }
  uint8_t command_byte() const { return ram_[0]; }
  // A byte from the keyboard (e.g. a scancode); dropped unless it is scanning.
  void keyboard_input(uint8_t byte);
  // A key pressed or released on the keyboard: its scancodes in the
  // keyboard's set (none unless it is scanning).
  void key(Key key, bool pressed);
  // Bytes waiting behind the output buffer (for flow control of typed input).
  size_t queued() const { return queue_.size(); }
  // Port 0x92's A20 bit.
  void set_fast_a20(bool open);
  void request_reset() { if (on_reset_) on_reset_(); }

  uint8_t read_data();
  uint8_t read_status() const;
  void write_data(uint8_t value);
  void write_command(uint8_t value);

private:
  enum class Source { kController, kKeyboard, kAux };
  struct Byte {
    uint8_t value;
    Source source;
    bool aux;      // reaches the CPU as auxiliary-port data (status bit 5, IRQ12)
    bool timeout;  // no device answered (status bit 6)
  };
  class Port final : public ByteDevice {
  public:
    Port(I8042& kbc, bool command) : ByteDevice(1), kbc_(kbc), command_(command) {}
    std::string_view name() const override { return command_ ? "i8042-cmd" : "i8042-data"; }

  protected:
    uint8_t read8(uint64_t) override { return command_ ? kbc_.read_status() : kbc_.read_data(); }
    void write8(uint64_t, uint8_t v) override { command_ ? kbc_.write_command(v) : kbc_.write_data(v); }

  private:
    I8042& kbc_;
    bool command_;
  };

  void reply(uint8_t value, bool aux = false, bool timeout = false);
  void parameter(uint8_t command, uint8_t value);
  void write_output_port(uint8_t value);
  void pulse_output_port(uint8_t mask);
  uint8_t output_port() const;
  void update_a20();
  // Moves the next deliverable byte into the output buffer and drives IRQ1/12.
  void refill();

  IrqLine irq1_, irq12_;
  std::function<void()> on_reset_;
  std::function<void(bool)> on_a20_;
  Ps2Keyboard keyboard_;
  Set2Translator translator_;
  uint8_t ram_[32] = {};     // byte 0 is the command byte
  uint8_t output_bits_ = 0xCF;  // output port: reset inactive, A20 open, keyboard lines idle
  bool fast_a20_ = false, a20_ = true;
  bool system_flag_ = true;  // POST passed
  bool last_was_command_ = false;
  uint8_t pending_command_ = 0;  // a command waiting for its data byte
  bool have_output_ = false;
  Byte output_{};
  uint8_t last_read_ = 0;
  std::deque<Byte> queue_;
  Port data_port_{*this, false};
  Port command_port_{*this, true};
};

// Port 0x92: bit 1 is the fast A20 gate, writing 1 to bit 0 resets the CPU.
class SystemControlPortA final : public ByteDevice {
public:
  static constexpr uint16_t kPort = 0x92;
  explicit SystemControlPortA(I8042& kbc) : ByteDevice(1), kbc_(kbc) {}
  std::string_view name() const override { return "port92"; }

protected:
  uint8_t read8(uint64_t) override { return value_; }
  void write8(uint64_t, uint8_t value) override;

private:
  I8042& kbc_;
  uint8_t value_ = 0;
};

}  // namespace bt86
