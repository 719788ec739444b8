// The I/O APIC (Intel 82093AA, with the EOI register of the ICH's version
// 0x20) at 0xFEC00000: 24 input pins, each with a redirection entry that
// turns an edge or a level on the pin into an APIC bus message. Level
// entries are sent again only after the local APIC's EOI for their vector
// clears their remote IRR. Registers are reached indirectly: IOREGSEL at
// offset 0x00 selects, IOWIN at 0x10 reads and writes, EOI at 0x40.
#pragma once
#include <array>
#include <cstdint>
#include <functional>

#include "bt86/devices/apic_message.h"
#include "bt86/devices/device.h"
#include "bt86/devices/irq.h"

namespace bt86 {

class IoApic final : public Device {
public:
  static constexpr uint64_t kBase = 0xFEC00000, kSize = 0x1000;
  static constexpr unsigned kPins = 24;
  static constexpr uint32_t kVersion = 0x20;
  static constexpr uint32_t kRegSelect = 0x00, kWindow = 0x10, kEoi = 0x40;

  // send delivers a message to the local APICs; it returns false when the
  // message made no new request (its vector was already requested).
  IoApic(uint8_t id, std::function<bool(const ApicMessage&)> send);

  std::string_view name() const override { return "io-apic"; }
  uint32_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint32_t value) override;

  // The level on a pin (true: high, electrically; the entry's polarity
  // says which level asserts it).
  void set_pin(unsigned pin, bool level);
  // A local APIC's EOI for a level-triggered vector.
  void eoi(uint8_t vector);

  // Lost-tick catch-up on an edge pin, the policy Pic8259::set_catch_up
  // applies to the 8259A (and KVM's PIT "reinject" to both): an edge whose
  // message made no new request (the previous one still waits) is owed, up
  // to limit, and each EOI of the entry's vector (`acknowledged`, for edge
  // vectors too: bt86's own wiring, not an APIC bus message) sends one owed
  // edge again. A guest that counts timer interrupts then keeps time when
  // the host held its vCPU longer than a period. Edges while masked are
  // lost, what is owed stays owed across masking.
  void set_catch_up(unsigned pin, uint32_t limit) { catch_up_limit_[pin] = limit; }
  void acknowledged(uint8_t vector);
  uint64_t caught_up() const { return caught_up_; }

  uint64_t entry(unsigned pin) const { return redirection_[pin]; }

private:
  uint32_t read_register(uint8_t index) const;
  void write_register(uint8_t index, uint32_t value);
  bool asserted(unsigned pin) const;
  // Sends a level entry's message if its pin is asserted and nothing of it
  // is still in service.
  void service_level(unsigned pin);
  // Sends the entry's message; true when it made a new request.
  bool send(unsigned pin);
  // An edge on an unmasked pin.
  void edge(unsigned pin);

  std::function<bool(const ApicMessage&)> send_;
  uint32_t id_;
  uint8_t select_ = 0;
  std::array<uint64_t, kPins> redirection_{};
  std::array<bool, kPins> level_{};
  std::array<uint32_t, kPins> catch_up_limit_{}, owed_{};
  uint64_t caught_up_ = 0;
};

// ISA interrupt lines on a PC with both controllers: each line reaches the
// 8259A pair and an I/O APIC pin. Pins follow the lines, except that IRQ0
// (the PIT) is on pin 2, as on PC chipsets (the MADT says so with an
// interrupt source override), and the AT's bus IRQ2 is IRQ9.
class IsaInterruptRouter final : public InterruptSink {
public:
  IsaInterruptRouter(InterruptSink& pic, IoApic& io_apic) : pic_(pic), io_apic_(io_apic) {}
  void set_irq(unsigned line, bool level) override;
  static unsigned pin_of(unsigned line) { return line == 0 ? 2 : line == 2 ? 9 : line; }

private:
  InterruptSink& pic_;
  IoApic& io_apic_;
};

}  // namespace bt86
