#include "bt_runner.h"

#include <fmt/format.h>

namespace bt86::fuzz {

BtRunner::BtRunner() {
  MachineConfig config;
  config.memory_bytes = 8u << 20;
  config.serial_out = [](uint8_t) {};
  machine_ = std::make_unique<Machine>(config);
  fresh_engine();
}

BtRunner::~BtRunner() = default;

// No platform: nothing can interrupt, so every hlt ends the run.
void BtRunner::fresh_engine() {
  cpu_.reset();
  cpu_ = std::make_unique<BtCpu>(GuestContext{machine_->cpu, machine_->ram, machine_->io, machine_->mmio,
                                              machine_->control, Platform{}});
  used_.reset();
}

Outcome BtRunner::run(const Run& r) {
  if (used_.test(r.slot)) fresh_engine();  // its translations of this slot are stale
  used_.set(r.slot);
  load_guest(*machine_, r);
  RunOutcome end = cpu_->run(10.0);
  const uint32_t hlt_eip = machine_->cpu.eip - 1;
  const bool at_hlt = end.exit_status == exit_status::kHalted &&
                      (hlt_eip == r.end_eip || hlt_eip - kHandlers < kVectors);
  if (!at_hlt) {
    Outcome o;
    o.vector = end.exit_status == exit_status::kTimeout ? FUZZ_TIMEOUT : kStopped;
    o.note = fmt::format("bt86 stopped at EIP={:#x}: {}", machine_->cpu.eip, end.message);
    fresh_engine();
    return o;
  }
  return read_guest(*machine_, r, hlt_eip);
}

}  // namespace bt86::fuzz
