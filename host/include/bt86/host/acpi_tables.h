// The ACPI tables a PC's firmware would leave for an operating system,
// reduced to what describes bt86's machine: RSDP → RSDT → FADT (with FACS
// and a DSDT that defines \_S5 and the PCI root) and the MADT (the local
// APIC, the I/O APIC and how ISA interrupts reach it). The FADT points at
// the PM registers of devices/acpi_pm.h.
#pragma once
#include <cstdint>

#include "bt86/shadow/guest_ram.h"

namespace bt86 {

// In the BIOS area, where the OS scans for the RSDP (16-byte aligned,
// 0xE0000-0xFFFFF); the e820 map must keep it reserved.
constexpr uint32_t kAcpiTablesAddr = 0xF0000, kAcpiTablesSize = 0x1000;

void write_acpi_tables(GuestRam& ram);
// What the BIOS area holds: the ACPI tables and the MP table (mp_table.h).
void write_firmware_tables(GuestRam& ram);

}  // namespace bt86
