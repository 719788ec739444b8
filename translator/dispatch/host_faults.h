// Host signals raised by translated code (SIGSEGV, SIGFPE, SIGILL, SIGBUS):
// the handler records the fault and the guest registers and sends the
// translated code to the exit stub; the run loop decides what it means.
#pragma once

namespace bt86 {

class Engine;

// Installs the handlers and makes engine the one this thread's faults go to.
class FaultHandlerScope {
public:
  explicit FaultHandlerScope(Engine& engine);
  ~FaultHandlerScope();
  FaultHandlerScope(const FaultHandlerScope&) = delete;
  FaultHandlerScope& operator=(const FaultHandlerScope&) = delete;

private:
  Engine* previous_;
};

Engine* current_engine();

}  // namespace bt86
