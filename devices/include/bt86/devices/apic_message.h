// An interrupt message on the APIC bus (SDM vol. 3, 10.6 and the 82093AA
// data sheet): what an I/O APIC redirection entry or a local APIC's ICR
// sends to the local APICs it addresses.
#pragma once
#include <cstdint>

namespace bt86 {

enum class ApicDelivery : uint8_t {
  kFixed = 0,
  kLowestPriority = 1,
  kSmi = 2,
  kNmi = 4,
  kInit = 5,
  kStartUp = 6,
  kExtInt = 7,
};

struct ApicMessage {
  ApicDelivery delivery = ApicDelivery::kFixed;
  uint8_t vector = 0;
  bool level_triggered = false;
  // INIT only: a level de-assert (ICR bit 14 clear with level trigger)
  // synchronizes arbitration IDs and addresses no CPU.
  bool deassert = false;
  bool logical = false;  // destination mode: logical (LDR/DFR) or physical (APIC ID)
  uint8_t destination = 0;  // 0xFF: every APIC (in either mode)
};

}  // namespace bt86
