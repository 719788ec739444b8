// 16550A UART, the register file a PC serial driver programs. This first
// model covers the transmit side and the register semantics a driver
// probes (divisor latch, LCR/MCR/SCR, LSR, IIR, loopback); receive, FIFOs
// and interrupts come with the devices issue.
#pragma once
#include <cstdint>
#include <functional>

#include "bt86/devices/device.h"

namespace bt86 {

class Uart16550 final : public Device {
public:
  static constexpr uint16_t kCom1 = 0x3F8;
  static constexpr uint16_t kCom2 = 0x2F8;
  using Sink = std::function<void(uint8_t)>;

  explicit Uart16550(Sink sink) : sink_(std::move(sink)) {}
  std::string_view name() const override { return "uart16550"; }
  uint32_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint32_t value) override;

  uint64_t bytes_transmitted() const { return transmitted_; }
  uint16_t divisor() const { return divisor_; }

private:
  bool dlab() const { return lcr_ & 0x80; }
  bool loopback() const { return mcr_ & 0x10; }

  Sink sink_;
  uint16_t divisor_ = 12;  // 9600 baud, what a BIOS leaves
  uint8_t ier_ = 0, lcr_ = 0x03, mcr_ = 0, scr_ = 0, fcr_ = 0;
  uint8_t rbr_ = 0;
  bool data_ready_ = false;
  uint64_t transmitted_ = 0;
};

}  // namespace bt86
