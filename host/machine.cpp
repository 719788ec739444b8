#include "bt86/host/machine.h"

#include <unistd.h>

#include <cstring>

#include "bt86/host/memory_map.h"
#include "bt86/segmentation/msrs.h"

namespace bt86 {

namespace {
// 2026-01-01 00:00:00 UTC: the RTC's time at power-on under --clock virtual.
constexpr int64_t kVirtualEpoch = 1767225600;

void write_stdout(uint8_t byte) {
  // Unbuffered so guest output interleaves correctly with our messages.
  [[maybe_unused]] auto n = ::write(STDOUT_FILENO, &byte, 1);
}

// QEMU's "etc/e820": 20-byte entries, address, length and type, little endian.
std::vector<uint8_t> fw_cfg_e820(uint64_t ram_bytes) {
  std::vector<uint8_t> out;
  auto append = [&out](uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  for (const E820Entry& e : pc_memory_map(ram_bytes)) append(e.addr, 8), append(e.size, 8), append(e.type, 4);
  return out;
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
      // The 8259A pair's INTR is LINT0 (read there in ExtINT mode; edges
      // matter only in the other modes).
      pic([this] { lapic.set_lint(0, pic.interrupt_pending()); }),
      io_apic(kIoApicId, [this](const ApicMessage& m) { return lapic.receive(m); }),
      lapic(0, LocalApic::Wiring{clock_, &events, &tsc, &pic,
                                 [this](uint8_t vector, bool level) {
                                   if (level) io_apic.eoi(vector);
                                   io_apic.acknowledged(vector);
                                 },
                                 [this] {
                                   // An INIT resets the CPU, which here means the machine.
                                   control.reset = true;
                                   control.request_exit(kResetExitStatus, "the guest sent INIT to its CPU");
                                 },
                                 [this](uint64_t o, bool w, uint64_t n, bool on) { move_local_apic(o, w, n, on); }}),
      pit(*clock_, events, IrqLine(isa, 0)),
      // Deterministic runs start the wall clock at a fixed moment too.
      rtc(*clock_, events, IrqLine(isa, Rtc146818::kIrq), config.memory_bytes,
          virtual_ ? std::optional<Rtc146818::WallTime>(Rtc146818::WallTime{kVirtualEpoch, 0}) : std::nullopt),
      com1(config.serial_out ? config.serial_out : write_stdout,
           Uart16550::Wiring{IrqLine(isa, Uart16550::kCom1Irq), clock_, &events}),
      com2([](uint8_t) {}, Uart16550::Wiring{IrqLine(isa, Uart16550::kCom2Irq), clock_, &events}),
      kbc(IrqLine(isa, I8042::kKeyboardIrq), IrqLine(isa, I8042::kAuxIrq),
          [this] {
            control.reset = true;
            control.request_exit(kResetExitStatus, "the guest reset the machine");
          },
          [this](bool open) { routing.set_a20(open); }),
      acpi_pm(*clock_, events, IrqLine(isa, AcpiPm::kSciIrq),
              [this] { control.request_exit(kPowerOffExitStatus, "the guest powered off (ACPI S5)"); }),
      bochs_shutdown([this] { control.request_exit(kPowerOffExitStatus, "the guest shut down (Bochs port 0x8900)"); }) {
  // Guests that count timer interrupts (Linux's periodic tick) keep time
  // across host delays longer than a tick: up to ~4 s at 250 Hz.
  pic.set_catch_up(0, 1000);
  io_apic.set_catch_up(IsaInterruptRouter::pin_of(0), 1000);
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
  io.map(DebugConsole::kPort, 1, debugcon);
  io.map(AcpiPm::kBase, AcpiPm::kPorts, acpi_pm);
  pci.attach(PciHostBridge::kDevice, PciHostBridge::kFunction, host_bridge);
  io.map(PciConfigMechanism1::kPort, PciConfigMechanism1::kPorts, pci);
  mmio.map(TestIomem::kBase, TestIomem::kSize, test_iomem);
  io.map(TestLatch::kPort, TestLatch::kPorts, test_latch);
  io.map(TestFlushPage::kPort, TestFlushPage::kPorts, test_flush_page);
  io.map(BochsShutdownPort::kPort, 1, bochs_shutdown);
  mmio.map(IoApic::kBase, IoApic::kSize, io_apic);
  mmio.map(lapic.base_address(), LocalApic::kSize, lapic);
  // As a PC BIOS leaves the bootstrap processor: the 8259A pair's virtual wire.
  lapic.set_virtual_wire();
  io.map(FwCfg::kPort, FwCfg::kPorts, fw_cfg);
  fw_cfg.set_u64(FwCfg::kRamSize, config.memory_bytes);
  fw_cfg.set_u16(FwCfg::kCpuCount, 1);
  fw_cfg.set_u16(FwCfg::kMaxCpus, 1);
  fw_cfg.add_file("etc/e820", fw_cfg_e820(config.memory_bytes));
  // SeaBIOS's console on COM1 (it would add this itself for "no graphics").
  if (config.serial_console) fw_cfg.add_file("etc/sercon-port", {0xF8, 0x03});
  attach_drives(config);
  cpu.eflags = eflags::kFixed1;
  cpu.cr0 = cr0::kET;
  reset_fpu(cpu);
  power_on_msrs(cpu);
}

// The drives on the PIIX3's IDE channels, and the boot order a firmware
// reads: fw_cfg "bootorder" (OpenFirmware paths, one per line, as SeaBIOS
// matches them: ide@1,1 is 00:01.1, drive@N the channel, disk@N the unit)
// and the CMOS boot flags (0x3D: first and second device, 2 = hard disk,
// 3 = CD-ROM; 0x38 bit 0: no floppy signature check).
void Machine::attach_drives(const MachineConfig& config) {
  pci.attach(Piix3IsaBridge::kDevice, Piix3IsaBridge::kFunction, isa_bridge);
  pci.attach(PiixIde::kDevice, PiixIde::kFunction, ide);
  std::vector<std::string> order;
  if (config.disk) {
    disk = std::make_unique<AtaDisk>(*config.disk);
    ide.channel(0).attach(0, *disk);
    order.push_back("/pci@i0cf8/ide@1,1/drive@0/disk@0");
  }
  if (config.cdrom) {
    cdrom = std::make_unique<AtapiCdrom>(*config.cdrom);
    ide.channel(1).attach(0, *cdrom);
    order.insert(config.boot_cdrom_first ? order.begin() : order.end(), "/pci@i0cf8/ide@1,1/drive@1/disk@0");
  }
  std::string text;
  for (const std::string& path : order) text += (text.empty() ? "" : "\n") + path;
  if (!text.empty()) fw_cfg.add_file("bootorder", std::vector<uint8_t>(text.begin(), text.end()));
  rtc.poke_cmos(0x3D, config.boot_cdrom_first ? 0x23 : 0x32);
  rtc.poke_cmos(0x38, 0x01);
}

// IA32_APIC_BASE moved the register page or turned it off; a page that
// would overlap another device's range stays unmapped (the guest's doing).
void Machine::move_local_apic(uint64_t old_base, bool was_on, uint64_t new_base, bool now_on) {
  if (was_on) mmio.unmap(old_base, lapic);
  if (!now_on) return;
  try {
    mmio.map(new_base, LocalApic::kSize, lapic);
  } catch (const BusError&) {
  }
}

}  // namespace bt86
