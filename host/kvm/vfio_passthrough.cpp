// The assignment side of --passthrough: VFIO container, group and device,
// guest RAM mapped for the device's DMA, BARs on the machine's buses.
// Written against the VFIO type-1 API; untested on a host that offers a
// device (see docs/ARCHITECTURE.md), the refusals are tested.
#include <fcntl.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <vector>

#include "bt86/devices/device.h"
#include "bt86/kvm/vfio_passthrough.h"

namespace bt86 {

namespace {
// Where BARs go while the machine has no PCI bus to let the guest place them.
constexpr uint64_t kMmioWindow = 0xE0000000;
constexpr uint64_t kPortWindow = 0xC000;
// Guest RAM is DMA-mapped as KVM maps it: all of it but the VGA hole.
constexpr uint64_t kHoleStart = 0xA0000, kHoleEnd = 0xC0000;
constexpr uint32_t kPciCommand = 0x04, kPciBar0 = 0x10;
constexpr uint16_t kCommandIoMemMaster = 0x7;

std::string errno_text() { return std::strerror(errno); }

// One BAR: accesses become reads and writes of the device's VFIO region.
class VfioBar final : public Device {
public:
  VfioBar(int fd, uint64_t region_offset, std::string name) : fd_(fd), offset_(region_offset), name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  uint32_t read(uint64_t offset, unsigned size) override {
    uint32_t v = 0;
    if (::pread(fd_, &v, size, static_cast<off_t>(offset_ + offset)) != static_cast<ssize_t>(size)) return ~0u;
    return v;
  }
  void write(uint64_t offset, unsigned size, uint32_t value) override {
    [[maybe_unused]] auto n = ::pwrite(fd_, &value, size, static_cast<off_t>(offset_ + offset));
  }

private:
  int fd_;
  uint64_t offset_;
  std::string name_;
};
}  // namespace

class VfioPassthrough::Impl {
public:
  ~Impl() {
    for (auto& m : dma_) {
      vfio_iommu_type1_dma_unmap u{};
      u.argsz = sizeof u;
      u.iova = m.iova;
      u.size = m.size;
      ::ioctl(container_, VFIO_IOMMU_UNMAP_DMA, &u);
    }
    for (int fd : {device_, group_, container_})
      if (fd >= 0) ::close(fd);
  }

  void open(const std::string& address, const std::string& group_node) {
    container_ = ::open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
    if (container_ < 0) throw VfioError(fmt::format("cannot open /dev/vfio/vfio: {}", errno_text()));
    if (::ioctl(container_, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
      throw VfioError("/dev/vfio/vfio speaks another VFIO API version");
    unsigned long type = ::ioctl(container_, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0 ? VFIO_TYPE1v2_IOMMU
                         : ::ioctl(container_, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0 ? VFIO_TYPE1_IOMMU
                                                                                             : 0;
    if (!type) throw VfioError("this host's VFIO has no type-1 IOMMU");
    group_ = ::open(group_node.c_str(), O_RDWR | O_CLOEXEC);
    if (group_ < 0) throw VfioError(fmt::format("cannot open {}: {}", group_node, errno_text()));
    vfio_group_status status{};
    status.argsz = sizeof status;
    if (::ioctl(group_, VFIO_GROUP_GET_STATUS, &status) < 0 || !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
      throw VfioError(fmt::format("IOMMU group {} is not viable: every device in it must be bound to vfio-pci",
                                  group_node));
    if (::ioctl(group_, VFIO_GROUP_SET_CONTAINER, &container_) < 0 || ::ioctl(container_, VFIO_SET_IOMMU, type) < 0)
      throw VfioError(fmt::format("cannot attach {} to a VFIO container: {}", group_node, errno_text()));
    device_ = ::ioctl(group_, VFIO_GROUP_GET_DEVICE_FD, address.c_str());
    if (device_ < 0) throw VfioError(fmt::format("VFIO refuses {}: {}", address, errno_text()));
  }

  void map_dma(GuestRam& ram) {
    for (auto [start, end] : {std::pair{uint64_t{0}, std::min(ram.size(), kHoleStart)}, std::pair{kHoleEnd, ram.size()}}) {
      if (end <= start) continue;
      vfio_iommu_type1_dma_map m{};
      m.argsz = sizeof m;
      m.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
      // SAFETY: the range lies inside guest RAM's one linear mapping, which
      // outlives this assignment; the device sees guest-physical addresses.
      m.vaddr = reinterpret_cast<uint64_t>(ram.host(start));
      m.iova = start;
      m.size = end - start;
      if (::ioctl(container_, VFIO_IOMMU_MAP_DMA, &m) < 0)
        throw VfioError(fmt::format("VFIO_IOMMU_MAP_DMA {:#x}-{:#x}: {}", start, end - 1, errno_text()));
      dma_.push_back(m);
    }
  }

  vfio_region_info region(uint32_t index) const {
    vfio_region_info r{};
    r.argsz = sizeof r;
    r.index = index;
    if (::ioctl(device_, VFIO_DEVICE_GET_REGION_INFO, &r) < 0) r.size = 0;
    return r;
  }

  void map_bars(Bus& mmio, Bus& io) {
    vfio_region_info config = region(VFIO_PCI_CONFIG_REGION_INDEX);
    uint64_t next_mmio = kMmioWindow, next_port = kPortWindow;
    for (uint32_t bar = VFIO_PCI_BAR0_REGION_INDEX; bar <= VFIO_PCI_BAR5_REGION_INDEX; ++bar) {
      vfio_region_info r = region(bar);
      uint32_t reg = 0;
      if (::pread(device_, &reg, 4, static_cast<off_t>(config.offset + kPciBar0 + 4 * bar)) != 4) reg = 0;
      if (r.size == 0) continue;
      bool port = reg & 1;
      uint64_t& next = port ? next_port : next_mmio;
      uint64_t base = (next + r.size - 1) / r.size * r.size;  // BARs are size-aligned
      bars_.push_back(std::make_unique<VfioBar>(device_, r.offset, fmt::format("vfio BAR{}", bar)));
      (port ? io : mmio).map(base, r.size, *bars_.back());
      where_ += fmt::format(", BAR{} {} {:#x} ({} bytes)", bar, port ? "ports" : "MMIO", base, r.size);
      next = base + r.size;
      if (!port && (reg & 6) == 4) ++bar;  // a 64-bit BAR takes the next slot too
    }
    uint16_t command = 0;
    if (::pread(device_, &command, 2, static_cast<off_t>(config.offset + kPciCommand)) == 2) {
      command |= kCommandIoMemMaster;
      [[maybe_unused]] auto n = ::pwrite(device_, &command, 2, static_cast<off_t>(config.offset + kPciCommand));
    }
  }

  std::string where_;

private:
  int container_ = -1, group_ = -1, device_ = -1;
  std::vector<vfio_iommu_type1_dma_map> dma_;
  std::vector<std::unique_ptr<VfioBar>> bars_;
};

VfioPassthrough::VfioPassthrough(const std::string& address, GuestRam& ram, Bus& mmio, Bus& io)
    : impl_(std::make_unique<Impl>()) {
  auto normalized = normalize_pci_address(address);
  if (!normalized)
    throw VfioError(fmt::format("'{}' is not a PCI address (expected DDDD:BB:DD.F, e.g. 0000:01:00.0)", address));
  std::string node = vfio_group_for(*normalized);
  impl_->open(*normalized, node);
  impl_->map_dma(ram);
  impl_->map_bars(mmio, io);
  impl_->where_ = *normalized + impl_->where_;
}

VfioPassthrough::~VfioPassthrough() = default;
std::string VfioPassthrough::describe() const { return impl_->where_; }

}  // namespace bt86
