#include "mp_table.h"

#include <cstring>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "bt86/host/acpi_tables.h"
#include "bt86/host/machine.h"
#include "bt86/segmentation/cpuid.h"

namespace bt86 {

namespace {
// In the BIOS area after the ACPI tables, 16-byte aligned.
constexpr uint32_t kFloating = kAcpiTablesAddr + 0x800, kConfig = kFloating + 16;

struct Table {
  std::vector<uint8_t> bytes;
  void put(uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void put_str(const char* s, unsigned n) { bytes.insert(bytes.end(), s, s + n); }
  void set(size_t at, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) bytes[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  // The byte at `at` makes every byte sum to zero.
  void checksum(size_t at) { bytes[at] = static_cast<uint8_t>(-std::accumulate(bytes.begin(), bytes.end(), 0u)); }
};

enum Entry : uint8_t { kProcessor = 0, kBus = 1, kIoApic = 2, kIoInterrupt = 3, kLocalInterrupt = 4 };
enum Interrupt : uint8_t { kInt = 0, kNmi = 1, kExtInt = 3 };
constexpr uint8_t kIsaBus = 0, kAllLocalApics = 0xFF;
}  // namespace

void write_mp_table(GuestRam& ram) {
  Table c;
  c.put_str("PCMP", 4), c.put(0, 2) /* length */, c.put(4, 1) /* spec 1.4 */, c.put(0, 1) /* checksum */;
  c.put_str("BT86    ", 8), c.put_str("BT86PC      ", 12);
  c.put(0, 4), c.put(0, 2), c.put(0, 2) /* entries */, c.put(LocalApic::kDefaultBase, 4), c.put(0, 4);
  uint16_t entries = 0;
  // The CPU: APIC ID 0, enabled, the bootstrap processor; its signature and
  // feature flags are CPUID leaf 1's.
  CpuidLeaf id = guest_cpuid(1);
  c.put(kProcessor, 1), c.put(0, 1), c.put(LocalApic::kVersionValue & 0xFF, 1), c.put(0x3, 1);
  c.put(id.eax, 4), c.put(id.edx, 4), c.put(0, 8), ++entries;
  c.put(kBus, 1), c.put(kIsaBus, 1), c.put_str("ISA   ", 6), ++entries;
  c.put(kIoApic, 1), c.put(Machine::kIoApicId, 1), c.put(IoApic::kVersion, 1), c.put(1, 1) /* usable */;
  c.put(IoApic::kBase, 4), ++entries;
  // ISA IRQs conform to the bus (edge, active high); IRQ2 is the cascade.
  for (unsigned irq = 0; irq < 16; ++irq) {
    if (irq == 2) continue;
    c.put(kIoInterrupt, 1), c.put(kInt, 1), c.put(0, 2), c.put(kIsaBus, 1), c.put(irq, 1);
    c.put(Machine::kIoApicId, 1), c.put(IsaInterruptRouter::pin_of(irq), 1), ++entries;
  }
  // LINT0: the 8259A pair (ExtINT); LINT1: NMI.
  c.put(kLocalInterrupt, 1), c.put(kExtInt, 1), c.put(0, 2), c.put(kIsaBus, 1), c.put(0, 1);
  c.put(kAllLocalApics, 1), c.put(0, 1), ++entries;
  c.put(kLocalInterrupt, 1), c.put(kNmi, 1), c.put(0, 2), c.put(kIsaBus, 1), c.put(0, 1);
  c.put(kAllLocalApics, 1), c.put(1, 1), ++entries;
  c.set(4, c.bytes.size(), 2);
  c.set(34, entries, 2);
  c.checksum(7);

  Table f;
  f.put_str("_MP_", 4), f.put(kConfig, 4), f.put(1, 1) /* 16 bytes */, f.put(4, 1) /* spec 1.4 */;
  f.put(0, 1) /* checksum */, f.put(0, 5) /* features: a table, not a default configuration */;
  f.checksum(10);

  if (kConfig + c.bytes.size() > kAcpiTablesAddr + kAcpiTablesSize) throw std::logic_error("the MP table outgrew its area");
  std::memcpy(ram.host(kFloating), f.bytes.data(), f.bytes.size());
  std::memcpy(ram.host(kConfig), c.bytes.data(), c.bytes.size());
}

}  // namespace bt86
