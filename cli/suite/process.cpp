#include "bt86/suite/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace bt86::suite {

namespace {

using Clock = std::chrono::steady_clock;

// A descriptor that becomes readable when the process ends (Linux 5.3+);
// -1 where there is none: waiting then polls.
int open_pidfd(int pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  return -1;
#endif
}

// posix_spawn's attributes and file actions, released on every path.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

Children::~Children() {
  kill_all();
  for (Running& r : running_) {
    int status;
    ::waitpid(r.pid, &status, 0);
    if (r.pidfd >= 0) ::close(r.pidfd);
  }
}

int Children::start(const ChildSpec& spec) {
  const int id = next_id_++;
  SpawnSetup s;
  // Its own process group, so that a kill reaches all it started; default
  // signal dispositions and no blocked signals, whatever the runner has.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP, SIGQUIT}) sigaddset(&defaults, sig);
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&s.attr, 0);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setsigdefault(&s.attr, &defaults);
  posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&s.actions, 1, spec.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&s.actions, 2, spec.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const auto started = Clock::now();
  if (spec.argv.empty()) {
    not_started_.push_back({id, {ChildEnd::Kind::kNotStarted, 0, 0, "no program to run"}});
    return id;
  }
  if (int err = posix_spawn(&pid, argv[0], &s.actions, &s.attr, argv.data(), environ)) {
    not_started_.push_back({id, {ChildEnd::Kind::kNotStarted, 0, 0,
                                 "cannot run " + spec.argv[0] + ": " + std::strerror(err)}});
    return id;
  }
  const bool has_deadline = spec.kill_after_seconds > 0;
  const auto deadline = started + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(has_deadline ? spec.kill_after_seconds : 0));
  running_.push_back({id, pid, open_pidfd(pid), started, deadline, has_deadline, false});
  return id;
}

void Children::kill_all() {
  for (Running& r : running_)
    if (!r.killed) {
      ::kill(-r.pid, SIGKILL);
      r.killed = true;
    }
}

std::pair<int, ChildEnd> Children::wait_next(const std::atomic<bool>* interrupted) {
  for (;;) {
    if (!not_started_.empty()) {
      auto first = not_started_.front();
      not_started_.erase(not_started_.begin());
      return first;
    }
    if (running_.empty()) throw std::logic_error("Children::wait_next: no child runs");
    if (interrupted && *interrupted) kill_all();
    // Reap whatever has ended.
    const auto now = Clock::now();
    for (size_t i = 0; i < running_.size(); ++i) {
      Running& r = running_[i];
      int status = 0;
      pid_t got = ::waitpid(r.pid, &status, WNOHANG);
      if (got == 0) continue;
      ChildEnd end;
      end.seconds = std::chrono::duration<double>(now - r.started).count();
      if (got < 0) {  // not ours any more: cannot happen unless someone else reaped it
        end.kind = ChildEnd::Kind::kSignaled;
        end.error = std::strerror(errno);
      } else if (r.killed) {
        end.kind = ChildEnd::Kind::kKilled;
        end.code = SIGKILL;
      } else if (WIFSIGNALED(status)) {
        end.kind = ChildEnd::Kind::kSignaled;
        end.code = WTERMSIG(status);
      } else {
        end.kind = ChildEnd::Kind::kExited;
        end.code = WEXITSTATUS(status);
      }
      if (r.pidfd >= 0) ::close(r.pidfd);
      const int id = r.id;
      running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
      return {id, end};
    }
    // Kill those past their deadline, then sleep until a child ends or the
    // next deadline (at most 100 ms: `interrupted`, and children without a
    // pidfd).
    int wait_ms = 100;
    std::vector<pollfd> fds;
    for (Running& r : running_) {
      if (r.has_deadline && !r.killed) {
        if (now >= r.deadline) {
          ::kill(-r.pid, SIGKILL);
          r.killed = true;
        } else {
          auto left = std::chrono::duration_cast<std::chrono::milliseconds>(r.deadline - now).count() + 1;
          wait_ms = static_cast<int>(std::min<long long>(wait_ms, left));
        }
      }
      if (r.pidfd >= 0) fds.push_back({r.pidfd, POLLIN, 0});
    }
    ::poll(fds.data(), fds.size(), wait_ms);
  }
}

std::string run_captured(const std::vector<std::string>& argv, double kill_after_seconds, ChildEnd& end) {
  char path[] = "/tmp/bt86-suite-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) {
    end = {ChildEnd::Kind::kNotStarted, 0, 0, std::string("cannot create a temporary file: ") + std::strerror(errno)};
    return {};
  }
  ::close(fd);
  {
    Children children;
    children.start({argv, path, "/dev/null", kill_after_seconds});
    end = children.wait_next().second;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  ::unlink(path);
  return out.str();
}

}  // namespace bt86::suite
