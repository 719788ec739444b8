// Booting from a firmware image (--bios), as a PC does: the image at the
// top of the 4 GiB space, its last 128 KiB (or all of a smaller one) also
// below 1 MiB, where the 440FX's PAM registers decide per segment whether
// the BIOS area is read from the ROM or from RAM and whether writes reach
// RAM (SeaBIOS copies itself to RAM and write-enables it); the CPU starts
// at the reset vector, F000:FFF0 with CS.base 0xFFFF0000.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bt86/devices/device.h"
#include "bt86/host/machine.h"

namespace bt86 {

// The image at the top of the 4 GiB space: reads only, writes vanish.
class RomDevice final : public Device {
public:
  explicit RomDevice(const std::vector<uint8_t>& image) : image_(image) {}
  std::string_view name() const override { return "bios-rom"; }
  uint32_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t, unsigned, uint32_t) override {}

private:
  const std::vector<uint8_t>& image_;
};

// The BIOS area 0xC0000-0xFFFFF on the MMIO bus, for the pages the PAM
// registers do not route wholly to RAM (those are plain RAM: GuestRam's
// bus pages): reads from RAM or from the ROM's low copy (all ones where it
// has none), writes to RAM or nowhere.
class BiosArea final : public Device {
public:
  BiosArea(Machine& machine, const std::vector<uint8_t>& image);
  std::string_view name() const override { return "bios-area"; }
  uint32_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint32_t value) override;
  // Sets GuestRam's bus pages after the PAM registers and tells the
  // backend (MemoryRouting::notify).
  void route();

private:
  Machine& machine_;
  const std::vector<uint8_t>& image_;
  uint64_t low_copy_;  // physical address of the ROM's low copy (0xE0000 for 128 KiB or more)
};

class BiosFirmware {
public:
  static constexpr uint64_t kMinSize = 64 * 1024, kMaxSize = 256 * 1024, kLowCopyMax = 128 * 1024;
  // Throws LoadError for a missing file or a size other than 64, 128, 192
  // or 256 KiB.
  BiosFirmware(Machine& machine, const std::string& path);
  ~BiosFirmware();

private:
  Machine& machine_;
  std::vector<uint8_t> image_;
  RomDevice rom_{image_};
  BiosArea area_;
};

// Debian's SeaBIOS (package seabios), the default firmware: the first of
// kSeabiosPaths that exists, or "" when none does.
inline constexpr const char* kSeabiosPaths = "/usr/share/seabios/bios-256k.bin or bios.bin";
std::string find_seabios();

// The CPU as RESET leaves it (SDM vol. 3, 9.1.1): real mode, CS F000 with
// base 0xFFFF0000, EIP 0xFFF0, the other segments 0 with 64 KiB limits,
// EDX the processor signature, IDTR 0/0x3FF.
void reset_cpu(CpuState& cpu);

}  // namespace bt86
