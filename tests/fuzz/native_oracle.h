// The native side: the 32-bit helper process (native/native_runner.c),
// started once and fed cases through a pipe; restarted if it dies.
#pragma once
#include <sys/types.h>

#include <string>

#include "runner.h"

namespace bt86::fuzz {

class NativeOracle : public Runner {
public:
  explicit NativeOracle(std::string path);
  ~NativeOracle() override;
  const char* name() const override { return "native"; }
  Outcome run(const Run& r) override;

private:
  void start();
  void stop();

  std::string path_;
  pid_t pid_ = -1;
  int to_child_ = -1, from_child_ = -1;
};

}  // namespace bt86::fuzz
