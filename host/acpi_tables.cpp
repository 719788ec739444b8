#include "bt86/host/acpi_tables.h"

#include <cstring>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "bt86/devices/acpi_pm.h"
#include "bt86/host/machine.h"
#include "mp_table.h"

namespace bt86 {

namespace {

using Bytes = std::vector<uint8_t>;

// Where each structure goes, inside [kAcpiTablesAddr, +kAcpiTablesSize).
constexpr uint32_t kRsdp = kAcpiTablesAddr, kRsdt = kRsdp + 0x40, kFacs = kRsdp + 0x80, kFadt = kRsdp + 0xC0,
                   kMadt = kRsdp + 0x140, kDsdt = kRsdp + 0x200;

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

// ---- the MADT (ACPI spec, 5.2.12) ----

// The interrupt controllers: the CPU's local APIC, the I/O APIC, ISA IRQ0
// on pin 2 (a PC chipset's wiring), the SCI as the level-triggered,
// active-high line devices/acpi_pm.h drives, and LINT1 as every CPU's NMI
// input. PCAT_COMPAT: the 8259A pair is there too (an OS using the APICs
// masks it).
Bytes madt_body() {
  Bytes b;
  auto put = [&b](uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  constexpr uint32_t kPcatCompat = 1;
  constexpr uint16_t kActiveHighLevel = 0x1 | 0x3 << 2;
  put(LocalApic::kDefaultBase, 4), put(kPcatCompat, 4);
  put(0, 1), put(8, 1), put(0, 1), put(0, 1), put(1, 4);  // processor local APIC: UID 0, APIC ID 0, enabled
  put(1, 1), put(12, 1), put(Machine::kIoApicId, 1), put(0, 1), put(IoApic::kBase, 4), put(0, 4);  // I/O APIC, GSI 0-23
  put(2, 1), put(10, 1), put(0, 1), put(0, 1), put(IsaInterruptRouter::pin_of(0), 4), put(0, 2);  // IRQ0 -> GSI 2
  put(2, 1), put(10, 1), put(0, 1), put(AcpiPm::kSciIrq, 1), put(AcpiPm::kSciIrq, 4), put(kActiveHighLevel, 2);
  put(4, 1), put(6, 1), put(0xFF, 1), put(0, 2), put(1, 1);  // local APIC NMI: every CPU, LINT1
  return b;
}

// ---- the DSDT's AML, built from its grammar (ACPI spec, chapter 20) ----

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes name_seg(const char (&seg)[5]) { return Bytes(seg, seg + 4); }

// PkgLength counts itself: one byte up to 63, else a lead byte holding the
// low nibble and the number of bytes that follow.
Bytes with_pkg_length(const Bytes& body) {
  size_t n = body.size() + 1;
  Bytes len;
  if (n < 64) {
    len = {static_cast<uint8_t>(n)};
  } else {
    n += 1;  // two bytes reach 4095
    len = {static_cast<uint8_t>(0x40 | (n & 0x0F)), static_cast<uint8_t>(n >> 4)};
  }
  return cat({len, body});
}

Bytes name(const char (&seg)[5], const Bytes& value) { return cat({{0x08}, name_seg(seg), value}); }
Bytes byte_const(uint8_t v) { return v == 0 ? Bytes{0x00} : Bytes{0x0A, v}; }
Bytes dword_const(uint32_t v) { return {0x0C, uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}; }
Bytes package(std::initializer_list<Bytes> items) {
  Bytes body = {static_cast<uint8_t>(items.size())};
  for (const Bytes& i : items) body.insert(body.end(), i.begin(), i.end());
  return cat({{0x12}, with_pkg_length(body)});
}
Bytes buffer(const Bytes& data) { return cat({{0x11}, with_pkg_length(cat({byte_const(uint8_t(data.size())), data}))}); }
Bytes scope(const Bytes& path, const Bytes& terms) { return cat({{0x10}, with_pkg_length(cat({path, terms}))}); }
Bytes device(const char (&seg)[5], const Bytes& terms) {
  return cat({{0x5B, 0x82}, with_pkg_length(cat({name_seg(seg), terms}))});
}

// A Word Address Space Descriptor the bridge produces, fixed range [min, max].
Bytes word_window(uint8_t type, uint8_t type_flags, uint16_t min, uint16_t max) {
  auto w = [](uint32_t v) { return Bytes{uint8_t(v), uint8_t(v >> 8)}; };
  return cat({{0x88, 0x0D, 0x00, type, 0x0C /* MinFixed, MaxFixed */, type_flags}, w(0), w(min), w(max), w(0),
              w(uint32_t{max} - min + 1)});
}

// \_S5: the sleep type the PM1 control block takes as soft off.
// \_SB.PCI0: the PCI root bridge (with ACPI, Linux finds PCI buses only in
// the namespace), bus 0 behind config mechanism #1, decoding all I/O ports
// but the configuration registers themselves.
Bytes dsdt_aml() {
  constexpr uint8_t kBusNumbers = 2, kIo = 1, kEntireRange = 3;
  constexpr uint32_t kPnp0a03 = 0x030AD041;  // EisaId ("PNP0A03")
  Bytes crs = cat({word_window(kBusNumbers, 0, 0x00, 0xFF), word_window(kIo, kEntireRange, 0x0000, 0x0CF7),
                   word_window(kIo, kEntireRange, 0x0D00, 0xFFFF), {0x79, 0x00} /* end tag */});
  uint8_t s5 = AcpiPm::kSleepTypeS5;
  return cat({name("_S5_", package({byte_const(s5), byte_const(s5), byte_const(0), byte_const(0)})),
              scope({'\\', '_', 'S', 'B', '_'},
                    device("PCI0", cat({name("_HID", dword_const(kPnp0a03)), name("_ADR", byte_const(0)),
                                        name("_UID", byte_const(0)), name("_CRS", buffer(crs))})))});
}

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

  const uint32_t rsdt_entries[] = {kFadt, kMadt};
  put(ram, kRsdt, table("RSDT", 1, rsdt_entries, sizeof rsdt_entries));

  // FACS: no header checksum; the OS owns the waking vector and global lock.
  uint8_t facs[64] = {'F', 'A', 'C', 'S', 64};
  std::memcpy(ram.host(kFacs), facs, sizeof facs);

  Fadt fadt = fadt_body();
  put(ram, kFadt, table("FACP", 1, &fadt, sizeof fadt));
  Bytes madt = madt_body();
  put(ram, kMadt, table("APIC", 1, madt.data(), madt.size()));
  if (kMadt + sizeof(Header) + madt.size() > kDsdt) throw std::logic_error("the MADT outgrew its area");
  Bytes aml = dsdt_aml();
  Bytes dsdt = table("DSDT", 1, aml.data(), aml.size());
  if (kDsdt + dsdt.size() > kAcpiTablesAddr + kAcpiTablesSize) throw std::logic_error("the DSDT outgrew its area");
  put(ram, kDsdt, dsdt);
}

void write_firmware_tables(GuestRam& ram) {
  write_acpi_tables(ram);
  write_mp_table(ram);
}

}  // namespace bt86
