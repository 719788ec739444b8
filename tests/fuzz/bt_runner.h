// The bt86 side: the cases run in this process as a guest of the BT engine,
// at CPL 0 in flat unpaged protected mode. Every IDT gate leads to a hlt of
// its own, so the vector and the exception frame tell how a run ended.
#pragma once
#include <bitset>
#include <memory>

#include "bt86/host/machine.h"
#include "bt86/translator/bt_cpu.h"
#include "runner.h"

namespace bt86::fuzz {

// Guest addresses of the descriptor tables and the exception handlers.
inline constexpr uint32_t kGdt = 0x1000, kIdt = 0x1800, kHandlers = 0x2000;
inline constexpr uint32_t kVectors = 32;

// Writes the GDT, the IDT and the handlers into guest RAM and sets `cpu` to
// flat 32-bit protected mode at CPL 0 with the run's state.
void load_guest(Machine& m, const Run& r);
// Reads an ending at a handler's hlt back into an Outcome: pops the
// exception frame (error code, EIP, CS, EFLAGS) so ESP is as at the fault.
Outcome read_guest(Machine& m, const Run& r, uint32_t hlt_eip);

class BtRunner : public Runner {
public:
  BtRunner();
  ~BtRunner() override;
  const char* name() const override { return "bt86"; }
  Outcome run(const Run& r) override;

private:
  void fresh_engine();

  std::unique_ptr<Machine> machine_;
  std::unique_ptr<BtCpu> cpu_;
  std::bitset<FUZZ_CODE_SLOTS> used_;  // slots this engine has translated
};

}  // namespace bt86::fuzz
