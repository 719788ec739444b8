// The PC a guest sees, independent of the backend that runs its CPU:
// guest RAM, the two device buses with the PC's devices, time, and the CPU
// state. Backends only run the CPU; every device lives here.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>

#include "bt86/devices/acpi_pm.h"
#include "bt86/devices/ata_disk.h"
#include "bt86/devices/atapi_cdrom.h"
#include "bt86/devices/bus.h"
#include "bt86/devices/clock.h"
#include "bt86/devices/debug_console.h"
#include "bt86/devices/debug_exit.h"
#include "bt86/devices/fw_cfg.h"
#include "bt86/devices/i8042.h"
#include "bt86/devices/io_apic.h"
#include "bt86/devices/local_apic.h"
#include "bt86/devices/pci_config.h"
#include "bt86/devices/pci_host_bridge.h"
#include "bt86/devices/pic8259_pair.h"
#include "bt86/devices/piix3_isa_bridge.h"
#include "bt86/devices/piix_ide.h"
#include "bt86/devices/pit8254.h"
#include "bt86/devices/post_port.h"
#include "bt86/devices/rtc146818.h"
#include "bt86/devices/run_control.h"
#include "bt86/devices/test_iomem.h"
#include "bt86/devices/test_ports.h"
#include "bt86/devices/uart16550.h"
#include "bt86/host/machine_tsc.h"
#include "bt86/host/ram_dma.h"
#include "bt86/segmentation/cpu_state.h"
#include "bt86/shadow/guest_ram.h"
#include "bt86/vcpu/platform.h"

namespace bt86 {

enum class ClockMode {
  kHost,     // devices and the TSC follow host time, less bt86's own work
             // (translation), which the guest gets back while it halts
  kWall,     // devices and the TSC follow host time exactly (benchmarks)
  kVirtual,  // time advances with guest work only: runs are repeatable
};

struct MachineConfig {
  uint64_t memory_bytes = 256ull << 20;
  std::function<void(uint8_t)> serial_out;  // COM1 transmit; stdout when empty
  ClockMode clock = ClockMode::kHost;
  // The IDE drives, owned by the caller (they outlive a reboot): a disk as
  // the primary channel's master, a CD-ROM as the secondary's; null: none.
  BlockBackend* disk = nullptr;
  BlockBackend* cdrom = nullptr;
  // What the firmware boots first (fw_cfg "bootorder", the CMOS boot flags).
  bool boot_cdrom_first = false;
  // The firmware mirrors its text console on COM1 (fw_cfg "etc/sercon-port"):
  // for a machine without a display.
  bool serial_console = true;
};

// Exit status when the guest resets the machine (i8042 0xFE, port 0x92)
// or powers it off (ACPI S5).
constexpr int kResetExitStatus = 0, kPowerOffExitStatus = 0;

class Machine {
public:
  explicit Machine(const MachineConfig& config);

  const Clock& clock() const { return *clock_; }
  VirtualClock* virtual_clock() { return virtual_ ? &virtual_clock_ : nullptr; }
  // The clock bt86 hides its own work from (bt86/vcpu/hidden_time.h):
  // null unless ClockMode::kHost.
  HostClock* apparent_clock() { return apparent_ ? &host_clock_ : nullptr; }

  RunControl control;
  GuestRam ram;
  Bus io{"port I/O"};
  Bus mmio{"MMIO"};
  CpuState cpu{};

private:
  // Time first: the devices hold references to it.
  HostClock host_clock_;
  VirtualClock virtual_clock_;
  bool virtual_, apparent_;
  const Clock* clock_;

public:
  EventQueue events;
  MachineTsc tsc{cpu};
  // The interrupt controllers: ISA lines reach both the 8259A pair and the
  // I/O APIC (`isa`); the CPU takes interrupts from its local APIC, with the
  // 8259A pair behind LINT0.
  Pic8259Pair pic;
  IoApic io_apic;
  IsaInterruptRouter isa{pic, io_apic};
  LocalApic lapic;
  Pit8254 pit;
  SystemControlPortB port61{pit};
  Rtc146818 rtc;
  Uart16550 com1;
  Uart16550 com2;
  MemoryRouting routing;  // the A20 gate (i8042, port 0x92) and the PAM registers move it
  I8042 kbc;
  SystemControlPortA port92{kbc};
  DebugExit debug_exit{control};
  PostPort post;
  DebugConsole debugcon{[](uint8_t b) { std::fputc(b, stderr); }};  // port 0xE9
  AcpiPm acpi_pm;
  PciConfigMechanism1 pci;
  PciHostBridge host_bridge;
  FwCfg fw_cfg;
  // The PIIX3 at 00:01: the ISA bridge and the IDE controller with its drives.
  RamWrites ram_writes;  // what the IDE controller's DMA wrote, for the backend
  RamDma dma{ram, ram_writes};
  Piix3IsaBridge isa_bridge;
  PiixIde ide{io, isa, dma};
  std::unique_ptr<AtaDisk> disk;
  std::unique_ptr<AtapiCdrom> cdrom;
  // QEMU's and Bochs' test-device conventions (for kvm-unit-tests).
  TestIomem test_iomem;
  TestLatch test_latch;
  TestFlushPage test_flush_page;
  BochsShutdownPort bochs_shutdown;

  // The I/O APIC's ID (the MADT's): 1, apart from the CPU's APIC ID 0, as
  // P6-era APIC buses required and later ones allow.
  static constexpr uint8_t kIoApicId = 1;

private:
  void attach_drives(const MachineConfig& config);
  void move_local_apic(uint64_t old_base, bool was_on, uint64_t new_base, bool now_on);
};

}  // namespace bt86
