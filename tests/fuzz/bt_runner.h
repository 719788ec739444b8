// The bt86 side: the cases run in this process as a guest of the BT engine,
// in the environment of guest_setup.h.
#pragma once
#include <bitset>
#include <memory>

#include "guest_setup.h"

namespace bt86::fuzz {

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
