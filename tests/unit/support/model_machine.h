// Test support: a model of just enough x86-64 to run the straight-line host
// code that address formation and the stack/string expansions emit (lea,
// mov, movzx), against made-up guest registers, a CpuFrame reached through
// r14 and guest memory reached through the window in r15. Anything else
// (in particular any flag-writing instruction) makes step() fail.
#pragma once
#include <Zydis/Zydis.h>

#include <cstdint>
#include <map>

#include "bt86/translator/cpu_frame.h"
#include "host_code.h"

namespace bt86::test {

inline constexpr uint64_t kWindow = 0x00007F0000000000;  // a made-up r15
inline constexpr uint64_t kCpuPtr = 0x0000550000000000;  // a made-up r14
// Guest register values: distinct bit ranges so a wrong register, scale or
// displacement shows in an address; EBX makes [ebx+large disp] wrap; the
// low halves are non-zero for 16-bit addressing (BX, BP, SI, DI).
inline constexpr uint32_t kGuestRegs[8] = {0x00000010, 0x00000300, 0x00005000, 0xFFFFFF00,
                                           0x00070000, 0x00800120, 0x09000044, 0x3000A008};

// Index 0..15 of the 64-bit register enclosing r (rax = 0, r15 = 15).
unsigned index64(ZydisRegister r);

struct ModelMachine {
  uint64_t reg[16] = {};
  CpuFrame frame{};
  std::map<uint32_t, uint8_t> stored;  // guest bytes written, by linear address

  explicit ModelMachine(const uint32_t seg_bases[6]);

  // What guest memory holds before anything is stored: a fixed pattern.
  static uint8_t initial_byte(uint32_t linear) { return static_cast<uint8_t>(linear * 37 + (linear >> 8) + 11); }
  static uint32_t initial(uint32_t linear, unsigned size);
  uint32_t guest_read(uint32_t linear, unsigned size) const;
  uint32_t guest(unsigned gpr) const { return static_cast<uint32_t>(reg[gpr == kEsp ? 8 : gpr]); }

  uint64_t read(ZydisRegister r) const;
  void write(ZydisRegister r, uint64_t v);
  uint64_t address(const ZydisDecodedOperand& mem) const;
  // Runs one host instruction; false if the model does not know it.
  bool step(const HostInsn& h);

private:
  uint64_t load(const ZydisDecodedOperand& mem);
  void store(const ZydisDecodedOperand& mem, uint64_t v);
};

}  // namespace bt86::test
