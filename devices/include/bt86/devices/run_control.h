// How devices ask the machine to stop: a device records why, the backend's
// run loop checks after every exit that reached a device.
#pragma once
#include <optional>
#include <string>

namespace bt86 {

struct RunControl {
  std::optional<int> exit_status;  // set => the run ends with this status
  std::string reason;
  bool reset = false;  // the run ends because the guest reset the machine

  void request_exit(int status, std::string why) {
    if (!exit_status) {
      exit_status = status;
      reason = std::move(why);
    }
  }
};

}  // namespace bt86
