// The PC/AT interrupt controllers: a master 8259A at ports 0x20-0x21, a
// slave at 0xA0-0xA1 whose INT output drives the master's IR2, and the
// edge/level control registers (ELCR) at 0x4D0-0x4D1. ISA lines 0-7 are the
// master's inputs, 8-15 the slave's; line 2 is the cascade, so a device on
// bus line 2 reaches IRQ9 as on every AT.
#pragma once
#include <cstdint>
#include <functional>

#include "bt86/devices/byte_device.h"
#include "bt86/devices/interrupt_controller.h"
#include "bt86/devices/irq.h"
#include "bt86/devices/pic8259.h"

namespace bt86 {

class Pic8259Pair final : public InterruptSink, public InterruptController {
public:
  static constexpr uint16_t kMasterPort = 0x20, kSlavePort = 0xA0, kElcrPort = 0x4D0;
  static constexpr uint64_t kPorts = 2;  // each of the three devices spans two ports

  // on_output_change runs whenever interrupt_pending() changes value (both
  // ways), synchronously, from whatever call caused it: a device's
  // set_irq, a guest port write, acknowledge(). The engine uses it to stop
  // translated code at its next safepoint.
  explicit Pic8259Pair(std::function<void()> on_output_change = {});

  // InterruptSink: the level of ISA line 0-15.
  void set_irq(unsigned line, bool level) override;

  // The CPU's INTR pin: an unmasked request outranks everything in service.
  bool interrupt_pending() const override { return master_.output(); }
  // The INTA cycle: the vector to deliver. IRR/ISR change as on the chip;
  // a request that vanished yields the spurious IRQ7 (master vector + 7)
  // or IRQ15 (slave vector + 7) with no in-service bit set.
  uint8_t acknowledge() override;

  // Lost-tick catch-up on ISA line 0-15 (see Pic8259::set_catch_up).
  void set_catch_up(unsigned line, uint32_t limit);
  uint64_t caught_up() const { return master_.caught_up() + slave_.caught_up(); }

  // The bus side: map these at kMasterPort, kSlavePort and kElcrPort.
  Device& master_device() { return master_ports_; }
  Device& slave_device() { return slave_ports_; }
  Device& elcr_device() { return elcr_ports_; }

  const Pic8259& master() const { return master_; }
  const Pic8259& slave() const { return slave_; }

private:
  class ChipPorts final : public ByteDevice {
  public:
    ChipPorts(Pic8259Pair& pair, Pic8259& chip, const char* name)
        : ByteDevice(kPorts), pair_(pair), chip_(chip), name_(name) {}
    std::string_view name() const override { return name_; }

  protected:
    uint8_t read8(uint64_t offset) override;
    void write8(uint64_t offset, uint8_t value) override;

  private:
    Pic8259Pair& pair_;
    Pic8259& chip_;
    const char* name_;
  };
  class ElcrPorts final : public ByteDevice {
  public:
    explicit ElcrPorts(Pic8259Pair& pair) : ByteDevice(kPorts), pair_(pair) {}
    std::string_view name() const override { return "elcr"; }

  protected:
    uint8_t read8(uint64_t offset) override;
    void write8(uint64_t offset, uint8_t value) override;

  private:
    Pic8259Pair& pair_;
  };

  // Propagates the slave's INT to the master's IR2 and reports a change of
  // the master's INT.
  void update();

  static constexpr unsigned kCascadeIr = 2;
  Pic8259 master_;
  Pic8259 slave_;
  std::function<void()> on_output_change_;
  bool output_ = false;
  ChipPorts master_ports_{*this, master_, "pic-master"};
  ChipPorts slave_ports_{*this, slave_, "pic-slave"};
  ElcrPorts elcr_ports_{*this};
};

}  // namespace bt86
