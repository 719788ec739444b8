// The Intel MultiProcessor Specification (1.4) tables a PC BIOS leaves in
// its ROM area: a floating pointer and a configuration table that describe
// the CPU and its local APIC, the ISA bus, the I/O APIC and how the ISA
// interrupts and the local APIC's LINT pins are wired. An OS reads them
// when it does not use ACPI's MADT (Linux with acpi=off); without them it
// would not know the machine has APICs.
#pragma once
#include "bt86/shadow/guest_ram.h"

namespace bt86 {

void write_mp_table(GuestRam& ram);

}  // namespace bt86
