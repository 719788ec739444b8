// A shadow address space: 4 GiB of host virtual memory where guest linear
// address v lives at base() + v, with never-mapped guard regions on both
// sides. Translated code only forms base + (32-bit value) plus a bounded
// overshoot, so whatever the guest does it cannot reach host memory
// outside [base - kGuard, base + 4 GiB + kGuard): isolation by construction.
//
// This first version maps guest RAM identically (paging off: linear ==
// physical), leaves non-RAM physical ranges unmapped so that accesses fault
// into the device bus, and write-protects pages that hold translated code.
#pragma once
#include <cstdint>
#include <vector>

#include "bt86/shadow/guest_ram.h"

namespace bt86 {

class ShadowWindow {
public:
  static constexpr uint64_t kSpan = 1ull << 32;
  // Covers bt/bts/btr/btc's ±256 MiB bit-offset reach and any access size.
  static constexpr uint64_t kGuard = 1ull << 30;
  static constexpr uint64_t kPage = 4096;

  explicit ShadowWindow(const GuestRam& ram);
  ~ShadowWindow();
  ShadowWindow(const ShadowWindow&) = delete;
  ShadowWindow& operator=(const ShadowWindow&) = delete;

  uint8_t* base() const { return base_; }

  enum class Region { kOutside, kGuardBelow, kWindow, kGuardAbove };
  Region classify(uintptr_t host_addr) const;
  // Guest linear address of a host address inside the window.
  uint32_t linear(uintptr_t host_addr) const { return static_cast<uint32_t>(host_addr - reinterpret_cast<uintptr_t>(base_)); }

  // Paging off: map every RAM page outside the legacy VGA hole at its own
  // physical address.
  void map_identity();

  // Code pages: read-only in the window so a guest write faults and
  // invalidates the translations. Returns false if the page is not RAM.
  bool protect_code(uint32_t page_linear);
  void unprotect_code(uint32_t page_linear);
  bool is_code(uint32_t page_linear) const { return code_[page_linear / kPage]; }
  bool is_mapped_ram(uint32_t linear) const;

private:
  const GuestRam& ram_;
  uint8_t* reservation_ = nullptr;
  uint8_t* base_ = nullptr;
  std::vector<bool> code_;  // per guest page below the RAM size
};

}  // namespace bt86
