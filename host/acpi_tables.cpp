#include "acpi_tables.h"

#include <cstring>
#include <numeric>
#include <vector>

#include "bt86/devices/acpi_pm.h"

namespace bt86 {

namespace {

using Bytes = std::vector<uint8_t>;

// Where each structure goes, inside [kAcpiTablesAddr, +kAcpiTablesSize).
constexpr uint32_t kRsdp = kAcpiTablesAddr, kRsdt = kRsdp + 0x40, kFacs = kRsdp + 0x80, kFadt = kRsdp + 0xC0,
                   kDsdt = kRsdp + 0x180;

struct [[gnu::packed]] Header {
  char signature[4];
  uint32_t length;
  uint8_t revision, checksum;
  char oem_id[6], oem_table_id[8];
  uint32_t oem_revision;
  char creator_id[4];
  uint32_t creator_revision;
};
static_assert(sizeof(Header) == 36);

// The ACPI 1.0 FADT (revision 1, 116 bytes) after its header.
struct [[gnu::packed]] Fadt {
  uint32_t firmware_ctrl, dsdt;
  uint8_t int_model, reserved0;
  uint16_t sci_int;
  uint32_t smi_cmd;
  uint8_t acpi_enable, acpi_disable, s4bios_req, reserved1;
  uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk, pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
  uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len, gpe0_blk_len, gpe1_blk_len, gpe1_base, reserved2;
  uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
  uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
  uint8_t reserved3[3];
  uint32_t flags;
};
static_assert(sizeof(Header) + sizeof(Fadt) == 116);

// FADT flags: WBINVD works; C1 is HLT; no fixed power or sleep button
// (PWR_BUTTON/SLP_BUTTON set mean "not a fixed feature"); a 32-bit PM timer.
constexpr uint32_t kWbinvd = 1 << 0, kProcC1 = 1 << 2, kPwrButton = 1 << 4, kSlpButton = 1 << 5,
                   kTmrValExt = 1 << 8;

// DSDT body, AML: Name (_S5, Package (4) { S5, S5, Zero, Zero }), the sleep
// type the PM1 control block takes as soft off (SLP_TYPa, SLP_TYPb).
constexpr uint8_t kS5 = AcpiPm::kSleepTypeS5;
constexpr uint8_t kDsdtAml[] = {0x08, '_', 'S', '5', '_',        // NameOp "_S5_"
                                0x12, 0x08, 0x04,                // PackageOp, PkgLength 8, 4 elements
                                0x0A, kS5, 0x0A, kS5, 0x00, 0x00};  // BytePrefix S5 ×2, ZeroOp ×2

uint8_t checksum_of(const uint8_t* p, size_t n) {
  return static_cast<uint8_t>(-std::accumulate(p, p + n, 0u));
}

Bytes table(const char (&signature)[5], uint8_t revision, const void* body, size_t body_size) {
  Header h{};
  std::memcpy(h.signature, signature, 4);
  h.length = static_cast<uint32_t>(sizeof h + body_size);
  h.revision = revision;
  std::memcpy(h.oem_id, "BT86  ", 6);
  std::memcpy(h.oem_table_id, "BT86PC  ", 8);
  h.oem_revision = 1;
  std::memcpy(h.creator_id, "BT86", 4);
  h.creator_revision = 1;
  Bytes t(h.length);
  std::memcpy(t.data(), &h, sizeof h);
  std::memcpy(t.data() + sizeof h, body, body_size);
  t[offsetof(Header, checksum)] = checksum_of(t.data(), t.size());
  return t;
}

void put(GuestRam& ram, uint32_t gpa, const Bytes& bytes) { std::memcpy(ram.host(gpa), bytes.data(), bytes.size()); }

Fadt fadt_body() {
  Fadt f{};
  f.firmware_ctrl = kFacs;
  f.dsdt = kDsdt;
  f.sci_int = AcpiPm::kSciIrq;
  // smi_cmd 0: the machine is always in ACPI mode.
  f.pm1a_evt_blk = AcpiPm::kBase + AcpiPm::kEventBlock;
  f.pm1a_cnt_blk = AcpiPm::kBase + AcpiPm::kControlBlock;
  f.pm_tmr_blk = AcpiPm::kBase + AcpiPm::kTimerBlock;
  f.pm1_evt_len = 4;
  f.pm1_cnt_len = 2;
  f.pm_tmr_len = 4;
  f.p_lvl2_lat = 101;   // > 100: no C2
  f.p_lvl3_lat = 1001;  // > 1000: no C3
  f.century = 0x32;     // the CMOS century byte (devices/rtc146818)
  f.flags = kWbinvd | kProcC1 | kPwrButton | kSlpButton | kTmrValExt;
  return f;
}

}  // namespace

void write_acpi_tables(GuestRam& ram) {
  std::memset(ram.host(kAcpiTablesAddr), 0, kAcpiTablesSize);

  // RSDP, ACPI 1.0 form (revision 0, 20 bytes, its own checksum).
  uint8_t rsdp[20] = {'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0, 'B', 'T', '8', '6', ' ', ' ', 0};
  std::memcpy(rsdp + 16, &kRsdt, 4);
  rsdp[8] = checksum_of(rsdp, sizeof rsdp);
  std::memcpy(ram.host(kRsdp), rsdp, sizeof rsdp);

  const uint32_t rsdt_entries[] = {kFadt};
  put(ram, kRsdt, table("RSDT", 1, rsdt_entries, sizeof rsdt_entries));

  // FACS: no header checksum; the OS owns the waking vector and global lock.
  uint8_t facs[64] = {'F', 'A', 'C', 'S', 64};
  std::memcpy(ram.host(kFacs), facs, sizeof facs);

  Fadt fadt = fadt_body();
  put(ram, kFadt, table("FACP", 1, &fadt, sizeof fadt));
  put(ram, kDsdt, table("DSDT", 1, kDsdtAml, sizeof kDsdtAml));
}

}  // namespace bt86
