#include "bt_runner.h"

namespace bt86::fuzz {

BtRunner::BtRunner() {
  machine_ = make_machine();
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
  Outcome o = finish_run(*machine_, r, cpu_->run(10.0), "bt86");
  if (o.vector == kStopped || o.vector == FUZZ_TIMEOUT) fresh_engine();
  return o;
}

}  // namespace bt86::fuzz
