// The CMOS bytes a PC/AT BIOS fills in at boot and operating systems read:
// memory sizes (below 640 KiB, above 1 MiB, above 16 MiB, above 4 GiB), the
// equipment byte and the checksum over 0x10-0x2D.
#include <algorithm>

#include "bt86/devices/rtc146818.h"

namespace bt86 {

namespace {
constexpr uint64_t kKiB = 1024, kMiB = 1024 * kKiB;

void put16(std::array<uint8_t, 128>& cmos, unsigned at, uint64_t value) {
  value = std::min<uint64_t>(value, 0xFFFF);
  cmos[at] = static_cast<uint8_t>(value);
  cmos[at + 1] = static_cast<uint8_t>(value >> 8);
}
}  // namespace

std::array<uint8_t, 128> pc_cmos_image(uint64_t ram_bytes) {
  std::array<uint8_t, 128> cmos{};
  cmos[0x10] = 0x00;  // no floppy drives
  cmos[0x12] = 0x00;  // no (BIOS-typed) hard disks
  cmos[0x14] = 0x02;  // equipment: math coprocessor present, no floppies, EGA/VGA
  put16(cmos, 0x15, 640);  // base memory, KiB
  // Extended memory above 1 MiB in KiB (the AT's 16-bit field saturates at
  // 64 MiB), twice: 0x17/0x18 as configured, 0x30/0x31 as found by POST.
  uint64_t above_1m = ram_bytes > kMiB ? (ram_bytes - kMiB) / kKiB : 0;
  put16(cmos, 0x17, above_1m);
  put16(cmos, 0x30, above_1m);
  // The later convention for larger machines: 64 KiB blocks above 16 MiB.
  uint64_t above_16m = ram_bytes > 16 * kMiB ? (ram_bytes - 16 * kMiB) / (64 * kKiB) : 0;
  put16(cmos, 0x34, above_16m);
  // Memory above 4 GiB in 64 KiB blocks, three bytes (QEMU's and SeaBIOS's convention).
  const uint64_t above_4g = ram_bytes > (4096 * kMiB) ? (ram_bytes - 4096 * kMiB) / (64 * kKiB) : 0;
  for (unsigned i = 0; i < 3; ++i) cmos[0x5B + i] = static_cast<uint8_t>(above_4g >> (8 * i));
  unsigned sum = 0;
  for (unsigned i = 0x10; i <= 0x2D; ++i) sum += cmos[i];
  cmos[0x2E] = static_cast<uint8_t>(sum >> 8);  // stored big-endian
  cmos[0x2F] = static_cast<uint8_t>(sum);
  return cmos;
}

}  // namespace bt86
