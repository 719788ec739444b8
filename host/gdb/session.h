// One gdb connection's commands while the guest is stopped: registers,
// memory, breakpoints and watchpoints, the target description, and the
// packets that resume the guest, detach or kill it. The breakpoints and
// watchpoints it keeps become the next run's DebugRequest.
#pragma once
#include <fmt/format.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bt86/vcpu/debug.h"
#include "bt86/vcpu/guest_context.h"
#include "bt86/vcpu/vcpu.h"
#include "rsp_channel.h"

namespace bt86::gdb {

class Session {
public:
  Session(RspChannel& channel, Vcpu& vcpu, const GuestContext& context)
      : channel_(channel), vcpu_(vcpu), context_(context) {}

  enum class Action { kContinue, kStep, kDetach, kKill, kHangup };
  // Answers gdb until it resumes the guest (kContinue, kStep), detaches,
  // kills it or hangs up.
  Action serve();
  // The request for the next run (step: whether it is a step).
  DebugRequest request(bool step) const;
  // Tells gdb why the guest stopped (and remembers it for '?').
  bool report(const DebugStop& stop);
  // Tells gdb that the guest's run ended with this exit status.
  void finished(int exit_status) { channel_.send(fmt::format("W{:02x}", exit_status & 0xFF)); }

private:
  // The reply to one packet; sets `action` when the packet resumes or ends.
  std::string answer(std::string_view packet, std::optional<Action>& action);
  std::string read_registers() const;
  std::string write_registers(std::string_view hex);
  std::string read_memory(std::string_view args);
  std::string write_memory(std::string_view args);
  std::string breakpoint(bool insert, std::string_view args);
  std::string query(std::string_view packet);
  std::string stop_reply(const DebugStop& stop) const;
  // c/s/C/S/vCont: resumes at the optional address given.
  std::optional<Action> resume(std::string_view packet);

  RspChannel& channel_;
  Vcpu& vcpu_;
  const GuestContext& context_;
  std::map<uint32_t, bool> breakpoints_;  // address -> set by Z1 (a "hardware" one)
  std::vector<Watchpoint> watchpoints_;
  std::string last_stop_ = "S05";  // a new connection finds the guest stopped by a trap
};

}  // namespace bt86::gdb
