// Guest RAM as the machine's bus masters (the IDE controller) reach it:
// physical addresses that are RAM to the CPU too (not the VGA window, not
// a BIOS-area page the chipset routes to the ROM, not past the end). What
// a device writes is announced through RamWrites, so that the backend
// drops translations of code the DMA replaced.
#pragma once
#include "bt86/devices/dma_memory.h"
#include "bt86/shadow/guest_ram.h"
#include "bt86/vcpu/platform.h"

namespace bt86 {

class RamDma final : public DmaMemory {
public:
  RamDma(GuestRam& ram, RamWrites& writes) : ram_(ram), writes_(writes) {}
  uint8_t* reach(uint64_t gpa, uint64_t len) override;
  void written(uint64_t gpa, uint64_t len) override { writes_.notify(gpa, len); }

private:
  GuestRam& ram_;
  RamWrites& writes_;
};

}  // namespace bt86
