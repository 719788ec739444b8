// The refusal side of --passthrough: everything the host must offer before
// a device can be assigned, checked in sysfs and /dev in the order an
// administrator would fix them.
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fmt/format.h>

#include "bt86/kvm/vfio_passthrough.h"

namespace bt86 {

namespace fs = std::filesystem;

std::optional<std::string> normalize_pci_address(const std::string& address) {
  std::string a = address;
  for (char& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (a.size() == 7) a = "0000:" + a;
  // dddd:bb:dd.f
  if (a.size() != 12 || a[4] != ':' || a[7] != ':' || a[10] != '.') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11})
    if (!std::isxdigit(static_cast<unsigned char>(a[i]))) return std::nullopt;
  if (a[11] > '7' || std::stoi(a.substr(8, 2), nullptr, 16) > 0x1f) return std::nullopt;
  return a;
}

std::string vfio_group_for(const std::string& address, const VfioPaths& paths) {
  std::error_code ec;
  const fs::path device = fs::path(paths.sys) / "bus/pci/devices" / address;
  if (!fs::exists(device, ec))
    throw VfioError(fmt::format("no PCI device {} on this host ({} does not exist)", address, device.string()));
  const fs::path groups = fs::path(paths.sys) / "kernel/iommu_groups";
  if (!fs::exists(groups, ec) || fs::is_empty(groups, ec))
    throw VfioError(fmt::format("the host has no IOMMU groups ({} is {}): no IOMMU, or it is off "
                                "(intel_iommu=on / amd_iommu=on on the host kernel's command line), "
                                "so no device can be given to a guest",
                                groups.string(), fs::exists(groups, ec) ? "empty" : "missing"));
  const fs::path group_link = device / "iommu_group";
  if (!fs::is_symlink(group_link, ec))
    throw VfioError(fmt::format("{} is in no IOMMU group ({} is missing)", address, group_link.string()));
  const std::string group = fs::read_symlink(group_link, ec).filename().string();
  const fs::path driver_link = device / "driver";
  const std::string driver = fs::is_symlink(driver_link, ec) ? fs::read_symlink(driver_link, ec).filename().string() : "";
  if (driver != "vfio-pci")
    throw VfioError(fmt::format(
        "{} is {}, not to vfio-pci: give it to VFIO first (echo {} > {}/driver/unbind; echo vfio-pci > "
        "{}/driver_override; echo {} > /sys/bus/pci/drivers_probe)",
        address, driver.empty() ? "bound to no driver" : "bound to " + driver, address, device.string(),
        device.string(), address));
  const fs::path container = fs::path(paths.dev) / "vfio/vfio";
  if (!fs::exists(container, ec))
    throw VfioError(fmt::format("no VFIO on this host ({} is missing: load the vfio-pci module)", container.string()));
  const fs::path node = fs::path(paths.dev) / "vfio" / group;
  if (!fs::exists(node, ec))
    throw VfioError(fmt::format("IOMMU group {} of {} has no VFIO node ({} is missing)", group, address, node.string()));
  if (::access(node.c_str(), R_OK | W_OK) != 0)
    throw VfioError(fmt::format("cannot open {} (IOMMU group {} of {}): permission denied", node.string(), group, address));
  return node.string();
}

}  // namespace bt86
