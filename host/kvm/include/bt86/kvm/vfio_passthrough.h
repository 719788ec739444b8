// --passthrough: a host PCI device assigned to the KVM guest through VFIO.
// Where the host cannot give the device away (no IOMMU groups, no VFIO,
// the device bound to another driver) assignment is refused with the
// reason, before the guest starts.
#pragma once
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "bt86/devices/bus.h"
#include "bt86/shadow/guest_ram.h"

namespace bt86 {

class VfioError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Where the checks look (tests point them at a fake tree).
struct VfioPaths {
  std::string sys = "/sys";
  std::string dev = "/dev";
};

// "0000:01:00.0", or "01:00.0" (domain 0); nullopt when not a PCI address.
std::optional<std::string> normalize_pci_address(const std::string& address);

// Whether the host offers `address` (normalized) for assignment: the VFIO
// group node (e.g. "/dev/vfio/12") when it does; throws VfioError naming
// the first reason it does not.
std::string vfio_group_for(const std::string& address, const VfioPaths& paths = {});

// The assignment: the VFIO container and group, guest RAM mapped for the
// device's DMA at guest-physical = I/O virtual addresses
// (VFIO_IOMMU_MAP_DMA), and each BAR on the machine's MMIO or port bus,
// forwarded to the device's region. This machine has no PCI bus yet, so
// the BARs sit at fixed places reported by describe(), and the device's
// interrupts are not connected.
class VfioPassthrough {
public:
  // Throws VfioError (refusals and failures, with the reason).
  VfioPassthrough(const std::string& address, GuestRam& ram, Bus& mmio, Bus& io);
  ~VfioPassthrough();
  std::string describe() const;

  class Impl;

private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bt86
