// A helper call (here an `out` to a device) keeps the guest's x87/SSE state
// although C++ code runs in between and clobbers XMM registers: with the
// x87's default control word the thunk saves only XMM0-7 and MXCSR and
// leaves the x87 live; with any other control word it saves everything.
// Either way the device's C++ code sees the host's control words.
#include <catch2/catch.hpp>

#include <asmjit/x86.h>

#include <cstring>

#include "asm_guest.h"

using namespace bt86;
namespace ax = asmjit::x86;

namespace {

constexpr uint32_t kData = test::AsmGuest::kData;
constexpr uint32_t kMxcsrIn = 0, kFcwIn = 4, kXmmIn = 0x10, kX87In = 0x90;           // what the guest loads
constexpr uint32_t kXmmOut = 0x100, kMxcsrOut = 0x180, kFcwOut = 0x184, kX87Out = 0x190;  // what it finds
constexpr uint32_t kGuestMxcsr = 0xEFC0 | 0x20;  // FTZ, toward zero, DAZ, PE unmasked, PE flag raised

// Clobbers XMM0-7 as memcpy may, and records the control words it found.
class Clobberer final : public Device {
public:
  std::string_view name() const override { return "xmm clobberer"; }
  uint32_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t, unsigned, uint32_t) override {
    __asm__ volatile("stmxcsr %0; fnstcw %1" : "=m"(mxcsr), "=m"(fcw));
    __asm__ volatile(
        "pcmpeqd %%xmm0, %%xmm0\n\tpcmpeqd %%xmm1, %%xmm1\n\tpcmpeqd %%xmm2, %%xmm2\n\t"
        "pcmpeqd %%xmm3, %%xmm3\n\tpcmpeqd %%xmm4, %%xmm4\n\tpcmpeqd %%xmm5, %%xmm5\n\t"
        "pcmpeqd %%xmm6, %%xmm6\n\tpcmpeqd %%xmm7, %%xmm7" ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
        "xmm6", "xmm7");
    ++writes;
  }
  uint32_t mxcsr = 0;
  uint16_t fcw = 0;
  unsigned writes = 0;
};

ax::Mem data(uint32_t offset, uint32_t size) { return ax::Mem(static_cast<uint64_t>(kData + offset), size); }

void run_guest(uint16_t guest_fcw) {
  test::AsmGuest g;
  Clobberer clobberer;
  g.machine.io.map(0x500, 1, clobberer);
  uint8_t* ram = g.machine.ram.host(kData);
  std::memcpy(ram + kMxcsrIn, &kGuestMxcsr, 4);
  std::memcpy(ram + kFcwIn, &guest_fcw, 2);
  for (unsigned i = 0; i < 128; ++i) ram[kXmmIn + i] = static_cast<uint8_t>(0x40 + i);
  for (unsigned i = 0; i < 8; ++i) {
    const double v = 1.5 + i;
    std::memcpy(ram + kX87In + 8 * i, &v, 8);
  }
  g.load([](ax::Assembler& a) {
    a.ldmxcsr(data(kMxcsrIn, 4));
    a.fldcw(data(kFcwIn, 2));
    for (unsigned i = 0; i < 8; ++i) a.movups(ax::xmm(i), data(kXmmIn + 16 * i, 16));
    for (unsigned i = 0; i < 8; ++i) a.fld(data(kX87In + 8 * i, 8));  // a full x87 stack
    a.mov(ax::dx, 0x500);
    a.out(ax::dx, ax::al);  // a helper call
    a.out(ax::dx, ax::al);  // and another in the same block
    for (unsigned i = 0; i < 8; ++i) a.movups(data(kXmmOut + 16 * i, 16), ax::xmm(i));
    a.stmxcsr(data(kMxcsrOut, 4));
    a.fnstcw(data(kFcwOut, 2));
    for (unsigned i = 0; i < 8; ++i) a.fstp(data(kX87Out + 8 * i, 8));
    test::AsmGuest::exit_ok(a);
  });
  CpuState& cpu = g.machine.cpu;
  cpu.cr0 |= cr0::kMP | cr0::kNE;
  cpu.cr4 = 1u << 9;  // OSFXSR
  BtCpu vcpu(g.context());
  RunOutcome out = vcpu.run(10.0);
  INFO(out.message);
  REQUIRE(out.exit_status == 1);

  CHECK(clobberer.writes == 2);
  CHECK((clobberer.mxcsr & ~0x3Fu) == 0x1F80);  // the host's control words in C++
  CHECK(clobberer.fcw == 0x037F);
  for (unsigned i = 0; i < 128; ++i) {
    INFO("XMM" << i / 16 << " byte " << i % 16);
    CHECK(ram[kXmmOut + i] == static_cast<uint8_t>(0x40 + i));
  }
  uint32_t mxcsr;
  std::memcpy(&mxcsr, ram + kMxcsrOut, 4);
  CHECK(mxcsr == kGuestMxcsr);  // the raised flag too
  uint16_t fcw;
  std::memcpy(&fcw, ram + kFcwOut, 2);
  CHECK(fcw == guest_fcw);
  for (unsigned i = 0; i < 8; ++i) {  // popped in reverse order of loading
    double v;
    std::memcpy(&v, ram + kX87Out + 8 * i, 8);
    CHECK(v == 1.5 + (7 - i));
  }
}

}  // namespace

TEST_CASE("helper fpu: a helper call keeps the guest's XMM registers, MXCSR and x87 stack", "[helper_fpu]") {
  SECTION("the x87's default control word: XMM0-7 and MXCSR saved, the x87 left live") { run_guest(0x037F); }
  SECTION("another control word: the whole state saved") { run_guest(0x0C7F); }  // toward zero
}
