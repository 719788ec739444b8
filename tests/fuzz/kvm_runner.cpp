#include "kvm_runner.h"

std::unique_ptr<bt86::fuzz::Runner> bt86::fuzz::make_kvm_runner(std::string& why_not) {
  why_not = "not implemented yet";
  return nullptr;
}
