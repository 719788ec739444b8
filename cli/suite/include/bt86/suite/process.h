// Child processes with deadlines: each runs in its own process group with
// stdin from /dev/null and stdout/stderr into files, and a child (with
// whatever it started) still running at its deadline is killed (SIGKILL to
// the group). The runner's guard behind bt86's own --timeout.
#pragma once
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

namespace bt86::suite {

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is the program's path
  std::string stdout_path, stderr_path;
  double kill_after_seconds = 0;  // 0: never
};

struct ChildEnd {
  enum class Kind { kExited, kSignaled, kKilled, kNotStarted } kind = Kind::kNotStarted;
  int code = 0;  // the exit status, or the signal
  double seconds = 0;
  std::string error;  // kNotStarted: why
};

class Children {
public:
  Children() = default;
  Children(const Children&) = delete;
  Children& operator=(const Children&) = delete;
  ~Children();  // kills what still runs

  // Starts a child; its end (kNotStarted if it could not start) comes from
  // wait_next under the returned id.
  int start(const ChildSpec& spec);
  // Blocks until a child ends (killing those past their deadline) and
  // returns its id and end. Throws std::logic_error if none runs.
  // `interrupted` is polled while waiting: when it turns true, every child
  // is killed and waiting goes on until they have all ended.
  std::pair<int, ChildEnd> wait_next(const std::atomic<bool>* interrupted = nullptr);
  size_t running() const { return running_.size(); }
  void kill_all();

private:
  struct Running {
    int id;
    int pid;
    int pidfd;
    std::chrono::steady_clock::time_point started, deadline;
    bool has_deadline, killed;
  };
  std::vector<Running> running_;
  std::vector<std::pair<int, ChildEnd>> not_started_;
  int next_id_ = 0;
};

// Runs argv to its end (killed after `kill_after_seconds`) and returns its
// stdout; `end` says how it ended.
std::string run_captured(const std::vector<std::string>& argv, double kill_after_seconds, ChildEnd& end);

}  // namespace bt86::suite
