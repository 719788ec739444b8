// host/acpi_tables.h: the tables a Linux guest finds, checked the way an OS
// reads them: RSDP in the BIOS area, every checksum, the FADT's PM blocks,
// and AML package lengths that add up.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <numeric>

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
  REQUIRE(rsdt_len == 36 + 4);
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
