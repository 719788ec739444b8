#include "bt86/host/machine.h"

#include <unistd.h>

#include <cstring>

namespace bt86 {

namespace {
// 2026-01-01 00:00:00 UTC: the RTC's time at power-on under --clock virtual.
constexpr int64_t kVirtualEpoch = 1767225600;

void write_stdout(uint8_t byte) {
  // Unbuffered so guest output interleaves correctly with our messages.
  [[maybe_unused]] auto n = ::write(STDOUT_FILENO, &byte, 1);
}

void reset_fpu(CpuState& cpu) {
  // The FXSAVE image of FNINIT/power-on: FCW=037F, all tags empty, MXCSR=1F80.
  std::memset(cpu.fxsave, 0, sizeof cpu.fxsave);
  uint16_t fcw = 0x037F;
  uint32_t mxcsr = 0x1F80, mxcsr_mask = 0xFFFF;
  std::memcpy(cpu.fxsave + 0, &fcw, 2);
  std::memcpy(cpu.fxsave + 24, &mxcsr, 4);
  std::memcpy(cpu.fxsave + 28, &mxcsr_mask, 4);
}
}  // namespace

Machine::Machine(const MachineConfig& config)
    : ram(config.memory_bytes),
      virtual_(config.clock == ClockMode::kVirtual),
      apparent_(config.clock == ClockMode::kHost),
      clock_(virtual_ ? static_cast<const Clock*>(&virtual_clock_) : &host_clock_),
      pit(*clock_, events, IrqLine(pic, 0)),
      // Deterministic runs start the wall clock at a fixed moment too.
      rtc(*clock_, events, IrqLine(pic, Rtc146818::kIrq), config.memory_bytes,
          virtual_ ? std::optional<Rtc146818::WallTime>(Rtc146818::WallTime{kVirtualEpoch, 0}) : std::nullopt),
      com1(config.serial_out ? config.serial_out : write_stdout,
           Uart16550::Wiring{IrqLine(pic, Uart16550::kCom1Irq), clock_, &events}),
      com2([](uint8_t) {}, Uart16550::Wiring{IrqLine(pic, Uart16550::kCom2Irq), clock_, &events}),
      kbc(IrqLine(pic, I8042::kKeyboardIrq), IrqLine(pic, I8042::kAuxIrq),
          [this] {
            control.reset = true;
            control.request_exit(kResetExitStatus, "the guest reset the machine");
          },
          [](bool) {}),
      acpi_pm(*clock_, events, IrqLine(pic, AcpiPm::kSciIrq),
              [this] { control.request_exit(kPowerOffExitStatus, "the guest powered off (ACPI S5)"); }) {
  // Guests that count timer interrupts (Linux's periodic tick) keep time
  // across host delays longer than a tick: up to ~4 s at 250 Hz.
  pic.set_catch_up(0, 1000);
  io.map(Pic8259Pair::kMasterPort, Pic8259Pair::kPorts, pic.master_device());
  io.map(Pic8259Pair::kSlavePort, Pic8259Pair::kPorts, pic.slave_device());
  io.map(Pic8259Pair::kElcrPort, Pic8259Pair::kPorts, pic.elcr_device());
  io.map(Pit8254::kPort, Pit8254::kPorts, pit);
  io.map(SystemControlPortB::kPort, 1, port61);
  io.map(Rtc146818::kPort, Rtc146818::kPorts, rtc);
  io.map(I8042::kDataPort, 1, kbc.data_device());
  io.map(I8042::kCommandPort, 1, kbc.command_device());
  io.map(SystemControlPortA::kPort, 1, port92);
  io.map(Uart16550::kCom1, Uart16550::kPorts, com1);
  io.map(Uart16550::kCom2, Uart16550::kPorts, com2);
  io.map(DebugExit::kPort, 4, debug_exit);
  io.map(PostPort::kPort, 1, post);
  io.map(AcpiPm::kBase, AcpiPm::kPorts, acpi_pm);
  pci.attach(PciHostBridge::kDevice, PciHostBridge::kFunction, host_bridge);
  io.map(PciConfigMechanism1::kPort, PciConfigMechanism1::kPorts, pci);
  mmio.map(TestIomem::kBase, TestIomem::kSize, test_iomem);
  cpu.eflags = eflags::kFixed1;
  cpu.cr0 = cr0::kET;
  reset_fpu(cpu);
}

}  // namespace bt86
