#include "bt86/host/bios.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "bt86/host/multiboot.h"
#include "bt86/segmentation/cpuid.h"

namespace bt86 {

namespace {
constexpr uint64_t k4G = uint64_t{1} << 32, k1M = 0x100000;

uint32_t bytes_of(unsigned size, auto byte_at) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint32_t{byte_at(i)} << (8 * i);
  return v;
}
}  // namespace

uint32_t RomDevice::read(uint64_t offset, unsigned size) {
  return bytes_of(size, [&](unsigned i) { return offset + i < image_.size() ? image_[offset + i] : uint8_t{0xFF}; });
}

BiosArea::BiosArea(Machine& machine, const std::vector<uint8_t>& image)
    : machine_(machine), image_(image),
      low_copy_(k1M - std::min<uint64_t>(image.size(), BiosFirmware::kLowCopyMax)) {}

uint32_t BiosArea::read(uint64_t offset, unsigned size) {
  return bytes_of(size, [&](unsigned i) -> uint8_t {
    const uint64_t phys = GuestRam::kBiosAreaStart + offset + i;
    if (machine_.host_bridge.pam_routing(static_cast<uint32_t>(phys)) & PciHostBridge::kPamRead)
      return *machine_.ram.host(phys);  // SAFETY: the BIOS area lies inside RAM (at least 1 MiB)
    return phys >= low_copy_ ? image_[image_.size() - (k1M - phys)] : uint8_t{0xFF};
  });
}

void BiosArea::write(uint64_t offset, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size; ++i) {
    const uint64_t phys = GuestRam::kBiosAreaStart + offset + i;
    if (machine_.host_bridge.pam_routing(static_cast<uint32_t>(phys)) & PciHostBridge::kPamWrite)
      *machine_.ram.host(phys) = static_cast<uint8_t>(value >> (8 * i));  // SAFETY: as in read
  }
}

// A page that reads RAM but sends writes to the bus (SeaBIOS's code once it
// has shadowed and locked itself) is RAM to reads and fetch: its
// translations are cached, and only its writes go through this device.
void BiosArea::route() {
  for (uint64_t page = GuestRam::kBiosAreaStart; page < GuestRam::kBiosAreaEnd; page += 4096) {
    const unsigned routing = machine_.host_bridge.pam_routing(static_cast<uint32_t>(page));
    machine_.ram.route_page(page, routing & PciHostBridge::kPamRead, routing & PciHostBridge::kPamWrite);
  }
  machine_.routing.notify();
}

BiosFirmware::BiosFirmware(Machine& machine, const std::string& path, const std::string& vga_bios)
    : machine_(machine), image_(read_file(path, "BIOS image")), area_(machine, image_) {
  if (image_.size() < kMinSize || image_.size() > kMaxSize || image_.size() % kMinSize)
    throw LoadError(fmt::format("BIOS image '{}' is {} bytes: it must be 64, 128, 192 or 256 KiB", path,
                                image_.size()));
  if (machine.ram.size() < k1M) throw LoadError("--bios needs at least 1 MiB of memory");
  if (machine.vga) {
    std::vector<uint8_t> rom = read_file(vga_bios, "VGA BIOS");
    machine.fw_cfg.add_file("vgaroms/" + std::filesystem::path(vga_bios).filename().string(), std::move(rom));
  }
  machine.mmio.map(k4G - image_.size(), image_.size(), rom_);
  machine.mmio.map(GuestRam::kBiosAreaStart, GuestRam::kBiosAreaEnd - GuestRam::kBiosAreaStart, area_);
  machine.host_bridge.on_pam = [this] { area_.route(); };
  machine.routing.firmware = image_;
  machine.routing.bios_area = [&bridge = machine.host_bridge](uint32_t phys) { return bridge.pam_routing(phys); };
  area_.route();
  reset_cpu(machine.cpu);
}

BiosFirmware::~BiosFirmware() {
  machine_.host_bridge.on_pam = nullptr;
  machine_.routing.firmware = {};
  machine_.routing.bios_area = nullptr;
  machine_.routing.notify();
  machine_.mmio.unmap(k4G - image_.size(), rom_);
  machine_.mmio.unmap(GuestRam::kBiosAreaStart, area_);
}

std::string find_seabios() {
  for (const char* path : {"/usr/share/seabios/bios-256k.bin", "/usr/share/seabios/bios.bin"})
    if (::access(path, R_OK) == 0) return path;
  return "";
}

void reset_cpu(CpuState& cpu) {
  using namespace access_rights;
  const auto data = static_cast<uint16_t>(kPresent | kSegment | kReadWrite | kAccessed);
  for (SegmentCache& s : cpu.seg) s = SegmentCache{0, data, 0, 0xFFFF};
  cpu.seg[kCs] = SegmentCache{0xF000, static_cast<uint16_t>(data | kCode), 0xFFFF0000, 0xFFFF};
  cpu.eip = 0xFFF0;
  for (uint32_t& r : cpu.gpr) r = 0;
  cpu.gpr[kEdx] = guest_cpuid(1).eax;  // the processor signature
  cpu.eflags = eflags::kFixed1;
  cpu.cr0 = cr0::kET | cr0::kCD | cr0::kNW;
  cpu.cr2 = cpu.cr3 = cpu.cr4 = 0;
  cpu.gdtr = {0, 0xFFFF};
  cpu.idtr = {0, 0x3FF};
  cpu.ldtr = SegmentCache{0, static_cast<uint16_t>(kPresent | 0x2), 0, 0xFFFF};  // an LDT
  cpu.tr = SegmentCache{0, static_cast<uint16_t>(kPresent | 0xB), 0, 0xFFFF};    // a busy 32-bit TSS
}

}  // namespace bt86
