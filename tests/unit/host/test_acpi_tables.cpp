// host/acpi_tables.h: the tables a Linux guest finds, checked the way an OS
// reads them: RSDP in the BIOS area, every checksum, the FADT's PM blocks,
// and AML package lengths that add up.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "bt86/host/acpi_tables.h"
#include "bt86/devices/acpi_pm.h"

namespace {

template <typename T>
T at(const bt86::GuestRam& ram, uint32_t gpa) {
  T v;
  std::memcpy(&v, ram.host(gpa), sizeof v);
  return v;
}

uint8_t sum(const bt86::GuestRam& ram, uint32_t gpa, uint32_t n) {
  return static_cast<uint8_t>(std::accumulate(ram.host(gpa), ram.host(gpa) + n, 0u));
}

bool signature(const bt86::GuestRam& ram, uint32_t gpa, const char* sig) {
  return std::memcmp(ram.host(gpa), sig, std::strlen(sig)) == 0;
}

}  // namespace

TEST_CASE("acpi tables: RSDP -> RSDT -> FADT -> DSDT/FACS, checksums and PM blocks", "[acpi]") {
  bt86::GuestRam ram(4u << 20);
  bt86::write_acpi_tables(ram);

  // The OS scans 0xE0000-0xFFFFF on 16-byte boundaries for "RSD PTR ".
  uint32_t rsdp = 0;
  for (uint32_t a = 0xE0000; a < 0x100000 && !rsdp; a += 16)
    if (signature(ram, a, "RSD PTR ")) rsdp = a;
  REQUIRE(rsdp != 0);
  CHECK(sum(ram, rsdp, 20) == 0);
  CHECK(at<uint8_t>(ram, rsdp + 15) == 0);  // ACPI 1.0 RSDP

  uint32_t rsdt = at<uint32_t>(ram, rsdp + 16);
  REQUIRE(signature(ram, rsdt, "RSDT"));
  uint32_t rsdt_len = at<uint32_t>(ram, rsdt + 4);
  CHECK(sum(ram, rsdt, rsdt_len) == 0);
  REQUIRE(rsdt_len == 36 + 8);
  uint32_t fadt = at<uint32_t>(ram, rsdt + 36);

  REQUIRE(signature(ram, fadt, "FACP"));
  CHECK(at<uint32_t>(ram, fadt + 4) == 116);
  CHECK(sum(ram, fadt, 116) == 0);
  CHECK(at<uint16_t>(ram, fadt + 46) == bt86::AcpiPm::kSciIrq);
  CHECK(at<uint32_t>(ram, fadt + 48) == 0);  // no SMI command port: always in ACPI mode
  CHECK(at<uint32_t>(ram, fadt + 56) == bt86::AcpiPm::kBase + bt86::AcpiPm::kEventBlock);
  CHECK(at<uint32_t>(ram, fadt + 64) == bt86::AcpiPm::kBase + bt86::AcpiPm::kControlBlock);
  CHECK(at<uint32_t>(ram, fadt + 76) == bt86::AcpiPm::kBase + bt86::AcpiPm::kTimerBlock);
  CHECK(at<uint8_t>(ram, fadt + 91) == 4);                    // PM_TMR_LEN
  CHECK((at<uint32_t>(ram, fadt + 112) & (1u << 8)) != 0);  // TMR_VAL_EXT: 32-bit timer

  uint32_t facs = at<uint32_t>(ram, fadt + 36);
  CHECK(facs % 64 == 0);
  CHECK(signature(ram, facs, "FACS"));

  uint32_t dsdt = at<uint32_t>(ram, fadt + 40);
  REQUIRE(signature(ram, dsdt, "DSDT"));
  uint32_t dsdt_len = at<uint32_t>(ram, dsdt + 4);
  CHECK(sum(ram, dsdt, dsdt_len) == 0);
  // The AML: \_S5 (a 4-element package starting S5, S5) then a Scope whose
  // PkgLength reaches exactly the end of the table.
  const uint8_t* aml = ram.host(dsdt + 36);
  CHECK(std::memcmp(aml, "\x08_S5_\x12\x08\x04\x0A", 9) == 0);
  CHECK(aml[9] == bt86::AcpiPm::kSleepTypeS5);
  const uint8_t* scope = aml + 14;
  REQUIRE(scope[0] == 0x10);
  uint32_t pkg = scope[1] >> 6 == 0 ? scope[1] : (scope[1] & 0x0F) | uint32_t{scope[2]} << 4;
  CHECK(dsdt + 36 + 14 + 1 + pkg == dsdt + dsdt_len);
  CHECK(std::search(aml, aml + dsdt_len - 36, "PCI0", "PCI0" + 4) != aml + dsdt_len - 36);
}

TEST_CASE("acpi tables: the MADT describes the local APIC, the I/O APIC and the ISA routing", "[acpi]") {
  bt86::GuestRam ram(4u << 20);
  bt86::write_acpi_tables(ram);
  uint32_t rsdt = at<uint32_t>(ram, bt86::kAcpiTablesAddr + 16);
  uint32_t madt = at<uint32_t>(ram, rsdt + 40);
  REQUIRE(signature(ram, madt, "APIC"));
  uint32_t len = at<uint32_t>(ram, madt + 4);
  CHECK(sum(ram, madt, len) == 0);
  CHECK(at<uint32_t>(ram, madt + 36) == 0xFEE00000);
  CHECK(at<uint32_t>(ram, madt + 40) == 1);  // PCAT_COMPAT
  // The entries, each type and length first, tile the rest exactly.
  struct Seen {
    int lapics = 0, ioapics = 0, nmis = 0;
    std::vector<std::pair<uint8_t, uint32_t>> overrides;  // ISA IRQ -> GSI
    uint16_t sci_flags = 0;
  } seen;
  uint32_t at_entry = madt + 44;
  while (at_entry < madt + len) {
    uint8_t type = at<uint8_t>(ram, at_entry), elen = at<uint8_t>(ram, at_entry + 1);
    REQUIRE(elen >= 2);
    if (type == 0) {
      ++seen.lapics;
      CHECK(at<uint8_t>(ram, at_entry + 3) == 0);   // APIC ID 0
      CHECK(at<uint32_t>(ram, at_entry + 4) == 1);  // enabled
    } else if (type == 1) {
      ++seen.ioapics;
      CHECK(at<uint8_t>(ram, at_entry + 2) == 1);   // I/O APIC ID
      CHECK(at<uint32_t>(ram, at_entry + 4) == 0xFEC00000);
      CHECK(at<uint32_t>(ram, at_entry + 8) == 0);  // GSI base
    } else if (type == 2) {
      seen.overrides.emplace_back(at<uint8_t>(ram, at_entry + 3), at<uint32_t>(ram, at_entry + 4));
      if (at<uint8_t>(ram, at_entry + 3) == bt86::AcpiPm::kSciIrq) seen.sci_flags = at<uint16_t>(ram, at_entry + 8);
    } else if (type == 4) {
      ++seen.nmis;
      CHECK(at<uint8_t>(ram, at_entry + 5) == 1);  // LINT1
    }
    at_entry += elen;
  }
  CHECK(at_entry == madt + len);
  CHECK(seen.lapics == 1);
  CHECK(seen.ioapics == 1);
  CHECK(seen.nmis == 1);
  CHECK(seen.overrides == std::vector<std::pair<uint8_t, uint32_t>>{{0, 2}, {bt86::AcpiPm::kSciIrq, 9}});
  CHECK(seen.sci_flags == 0x000D);  // active high, level
}

TEST_CASE("mp table: floating pointer and configuration table, as Linux reads them with acpi=off", "[acpi][mptable]") {
  bt86::GuestRam ram(4u << 20);
  bt86::write_firmware_tables(ram);
  uint32_t mpf = 0;
  for (uint32_t a = 0xF0000; a < 0x100000 && !mpf; a += 16)
    if (signature(ram, a, "_MP_")) mpf = a;
  REQUIRE(mpf != 0);
  CHECK(sum(ram, mpf, 16) == 0);
  CHECK(at<uint8_t>(ram, mpf + 8) == 1);       // 16 bytes
  CHECK(at<uint8_t>(ram, mpf + 11) == 0);      // a configuration table follows, no default configuration
  uint32_t cfg = at<uint32_t>(ram, mpf + 4);
  REQUIRE(signature(ram, cfg, "PCMP"));
  uint16_t len = at<uint16_t>(ram, cfg + 4), count = at<uint16_t>(ram, cfg + 34);
  CHECK(sum(ram, cfg, len) == 0);
  CHECK(at<uint32_t>(ram, cfg + 36) == 0xFEE00000);
  // Entries: processor 20 bytes, the rest 8; count and length agree.
  uint32_t p = cfg + 44;
  int cpus = 0, ioapics = 0, irq0_pin = -1, lint[2] = {-1, -1};
  for (unsigned i = 0; i < count; ++i) {
    uint8_t type = at<uint8_t>(ram, p);
    if (type == 0) {
      ++cpus;
      CHECK(at<uint8_t>(ram, p + 3) == 3);  // enabled, bootstrap processor
    } else if (type == 2) {
      ++ioapics;
      CHECK(at<uint8_t>(ram, p + 1) == 1);
      CHECK(at<uint32_t>(ram, p + 4) == 0xFEC00000);
    } else if (type == 3 && at<uint8_t>(ram, p + 5) == 0) {
      irq0_pin = at<uint8_t>(ram, p + 7);
    } else if (type == 4) {
      lint[at<uint8_t>(ram, p + 7) & 1] = at<uint8_t>(ram, p + 1);
    }
    p += type == 0 ? 20 : 8;
  }
  CHECK(p == cfg + len);
  CHECK(cpus == 1);
  CHECK(ioapics == 1);
  CHECK(irq0_pin == 2);
  CHECK(lint[0] == 3);  // ExtINT
  CHECK(lint[1] == 1);  // NMI
  // The ACPI tables are still there.
  CHECK(signature(ram, bt86::kAcpiTablesAddr, "RSD PTR "));
}
