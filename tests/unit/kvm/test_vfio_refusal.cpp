// host/kvm/vfio_check: --passthrough refuses, naming the reason, every host
// that cannot give a device away; checked on fake sysfs and /dev trees
// (this machine has no IOMMU, so the accepting path can only be faked here).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "bt86/kvm/vfio_passthrough.h"

using namespace bt86;
namespace fs = std::filesystem;

namespace {
constexpr const char* kDev = "0000:01:00.0";

// A fake host: the device exists; each test adds what it needs.
struct FakeHost {
  FakeHost() {
    char tmpl[] = "/tmp/bt86-vfio-XXXXXX";
    root = mkdtemp(tmpl);
    fs::create_directories(device());
    fs::create_directories(root / "sys/kernel/iommu_groups");
    fs::create_directories(root / "sys/bus/pci/drivers/vfio-pci");
    fs::create_directories(root / "sys/bus/pci/drivers/e1000e");
  }
  ~FakeHost() { fs::remove_all(root); }
  fs::path device() const { return root / "sys/bus/pci/devices" / kDev; }
  void add_group(const std::string& n) {
    fs::create_directories(root / "sys/kernel/iommu_groups" / n);
    fs::create_directory_symlink(root / "sys/kernel/iommu_groups" / n, device() / "iommu_group");
  }
  void bind(const std::string& driver) { fs::create_directory_symlink(root / "sys/bus/pci/drivers" / driver, device() / "driver"); }
  void add_vfio(bool group_node, const std::string& n) {
    fs::create_directories(root / "dev/vfio");
    std::ofstream(root / "dev/vfio/vfio");
    if (group_node) std::ofstream(root / "dev/vfio" / n);
  }
  VfioPaths paths() const { return {(root / "sys").string(), (root / "dev").string()}; }
  std::string refusal() const {
    try {
      vfio_group_for(kDev, paths());
    } catch (const VfioError& e) {
      return e.what();
    }
    return {};
  }
  fs::path root;
};
}  // namespace

TEST_CASE("PCI addresses are normalized or rejected", "[vfio]") {
  CHECK(normalize_pci_address("01:00.0") == std::optional<std::string>("0000:01:00.0"));
  CHECK(normalize_pci_address("0000:0A:1f.7") == std::optional<std::string>("0000:0a:1f.7"));
  CHECK_FALSE(normalize_pci_address("0000:01:00.8"));  // function 0-7
  CHECK_FALSE(normalize_pci_address("0000:01:20.0"));  // device 0-0x1f
  CHECK_FALSE(normalize_pci_address("eth0"));
  CHECK_FALSE(normalize_pci_address(""));
}

TEST_CASE("passthrough is refused with the reason the host cannot assign the device", "[vfio]") {
  FakeHost host;
  SECTION("no such device") {
    fs::remove_all(host.device());
    CHECK_THAT(host.refusal(), Catch::Contains("no PCI device 0000:01:00.0"));
  }
  SECTION("no IOMMU groups") { CHECK_THAT(host.refusal(), Catch::Contains("no IOMMU groups")); }
  SECTION("device in no group") {
    fs::create_directories(host.root / "sys/kernel/iommu_groups/7");
    CHECK_THAT(host.refusal(), Catch::Contains("in no IOMMU group"));
  }
  SECTION("bound to another driver") {
    host.add_group("7");
    host.bind("e1000e");
    CHECK_THAT(host.refusal(), Catch::Contains("bound to e1000e, not to vfio-pci"));
  }
  SECTION("bound to no driver") {
    host.add_group("7");
    CHECK_THAT(host.refusal(), Catch::Contains("bound to no driver"));
  }
  SECTION("no VFIO") {
    host.add_group("7");
    host.bind("vfio-pci");
    CHECK_THAT(host.refusal(), Catch::Contains("no VFIO on this host"));
  }
  SECTION("no group node") {
    host.add_group("7");
    host.bind("vfio-pci");
    host.add_vfio(false, "7");
    CHECK_THAT(host.refusal(), Catch::Contains("IOMMU group 7 of 0000:01:00.0 has no VFIO node"));
  }
  SECTION("everything offered: the group node") {
    host.add_group("7");
    host.bind("vfio-pci");
    host.add_vfio(true, "7");
    CHECK(vfio_group_for(kDev, host.paths()) == (host.root / "dev/vfio/7").string());
  }
}
