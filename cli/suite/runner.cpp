// The suite's run: guests become child bt86 processes (at most -j at once),
// each run's serial output and report go to files in OUT/.work, and when a
// guest's last run ends its verdict is printed and its files either move
// to OUT/failed/<guest> or go.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <map>

#include "bt86/suite/kut.h"
#include "bt86/suite/process.h"
#include "bt86/suite/report.h"
#include "bt86/suite/suite.h"
#include "kvm_gate.h"
#include "text.h"

namespace bt86::suite {

namespace {

namespace fs = std::filesystem;

constexpr const char* kMarker = ".bt86-suite";  // OUT is ours to empty
constexpr size_t kLogTail = 16 * 1024;          // of each log, into JUnit
constexpr size_t kJudgedMax = 64 << 20;         // of each log, judged

std::atomic<bool> interrupted{false};  // lock-free: a signal handler may set it
void on_interrupt(int) { interrupted = true; }

// How long the runner waits past a guest's timeout before it kills bt86.
double grace_seconds(double timeout) { return std::max(5.0, timeout / 10); }

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,+-@%") ==
                        std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? "'\\''" : std::string(1, c);
  return out + "'";
}

// A guest's name as one path component.
std::string safe_name(const std::string& name) {
  std::string out;
  for (char c : name) out += c == '/' || c == '\\' || c == '\0' ? '_' : c;
  if (out.empty() || out[0] == '.') out.insert(0, "_");
  return out;
}

// The last `max` bytes of a file (all of a shorter one), from a line start.
std::string read_tail(const fs::path& p, size_t max) {
  std::ifstream in(p, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const auto size = static_cast<size_t>(in.tellg());
  const size_t from = size > max ? size - max : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string text(size - from, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (from) text.erase(0, text.find('\n') + 1);
  return text;
}

std::vector<std::string> command_line(const SuiteOptions& o, const GuestEntry& e, const std::string& backend) {
  std::vector<std::string> argv{o.bt86, "run", "--kernel", e.kernel};
  if (!e.initrd.empty()) argv.insert(argv.end(), {"--initrd", e.initrd});
  if (!e.append.empty()) argv.insert(argv.end(), {"--append", e.append});
  if (!e.memory.empty()) argv.insert(argv.end(), {"--memory", e.memory});
  argv.insert(argv.end(), {"--backend", backend});
  const std::string& clock = e.clock.empty() ? o.clock : e.clock;
  if (!clock.empty()) argv.insert(argv.end(), {"--clock", clock});
  argv.insert(argv.end(), {"--timeout", fmt::format("{}", e.timeout_seconds)});
  argv.insert(argv.end(), e.args.begin(), e.args.end());
  return argv;
}

std::string shell_line(const std::vector<std::string>& argv) {
  std::vector<std::string> quoted;
  for (const std::string& a : argv) quoted.push_back(shell_quote(a));
  return join(quoted, " ");
}

std::string now_iso8601() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", std::localtime(&t));
  return buf;
}

// OUT exists, is ours (or was empty) and holds no earlier run's failures.
void prepare_out(const SuiteOptions& o) {
  const fs::path out(o.out_dir);
  fs::create_directories(out);
  if (!fs::exists(out / kMarker) && fs::directory_iterator(out) != fs::directory_iterator())
    throw SuiteError(fmt::format("--out {}: the directory is not empty and not one of bt86 suite's", o.out_dir));
  std::ofstream(out / kMarker) << "bt86 suite output: failed/ is emptied by each run\n";
  fs::remove_all(out / "failed");
  fs::remove_all(out / ".work");
  if (!o.kut_dir.empty()) std::ofstream(kut_env_path(o)) << kut_environment();
}

class Runner {
public:
  Runner(const SuiteOptions& o, std::vector<GuestEntry> entries)
      : o_(o), entries_(std::move(entries)), results_(entries_.size()), runs_left_(entries_.size()),
        ended_(entries_.size()), gate_(o.bt86) {}

  int run();

private:
  struct Job {
    size_t guest;
    std::string backend;
    fs::path dir;
  };

  // Each backend of the guest: a skip now, or a job.
  void plan(size_t guest);
  void job_ended(const Job& job, const ChildEnd& end);
  void guest_ended(size_t guest);
  void print(const GuestResult& r);
  void write_reports(double seconds) const;
  BackendVerdict& backend_verdict(size_t guest, const std::string& backend);

  const SuiteOptions& o_;
  std::vector<GuestEntry> entries_;
  std::vector<GuestResult> results_;
  std::vector<size_t> runs_left_;
  std::vector<bool> ended_;
  std::deque<Job> queue_;
  std::map<int, Job> running_;
  KvmGate gate_;
  size_t done_ = 0;
  std::string started_ = now_iso8601();
};

BackendVerdict& Runner::backend_verdict(size_t guest, const std::string& backend) {
  for (BackendVerdict& b : results_[guest].backends)
    if (b.backend == backend) return b;
  throw std::logic_error("no such backend run");
}

void Runner::plan(size_t guest) {
  const GuestEntry& e = entries_[guest];
  GuestResult& r = results_[guest];
  r.entry = &e;
  for (const std::string& backend : o_.backends) {
    std::string skip = e.skip;
    if (skip.empty() && !e.backends.empty() && std::find(e.backends.begin(), e.backends.end(), backend) == e.backends.end())
      skip = e.backends_why;
    if (skip.empty() && backend == "kvm" && !gate_.cannot_run(e.kvm_needs).empty())
      skip = gate_.cannot_run(e.kvm_needs);
    r.backends.push_back({backend, {Result::kSkip, skip}, 0});
    if (!skip.empty()) continue;
    ++runs_left_[guest];
    queue_.push_back({guest, backend, fs::path(o_.out_dir) / ".work" / safe_name(e.name) / backend});
  }
  if (!runs_left_[guest]) guest_ended(guest);
}

void Runner::job_ended(const Job& job, const ChildEnd& end) {
  const GuestEntry& e = entries_[job.guest];
  const std::string serial = read_tail(job.dir / "serial.log", kJudgedMax);
  const std::string report = read_tail(job.dir / "bt86.log", kJudgedMax);
  Verdict v = judge_run(e, end, serial, report, grace_seconds(e.timeout_seconds));
  // Where KVM emulates guest code, what it gets wrong is its emulator's.
  if (v.result == Result::kFail && job.backend == "kvm" && !gate_.no_oracle().empty())
    v = {Result::kSkip, fmt::format("failed ({}), which does not count: {}", v.reason, gate_.no_oracle())};
  BackendVerdict& b = backend_verdict(job.guest, job.backend);
  b.verdict = v;
  b.seconds = end.seconds;
  GuestResult& r = results_[job.guest];
  r.seconds += end.seconds;
  const std::string heading = o_.backends.size() > 1 ? fmt::format("==== {} ====\n", job.backend) : "";
  r.output += heading + serial.substr(serial.size() > kLogTail ? serial.size() - kLogTail : 0);
  r.report += heading + report.substr(report.size() > kLogTail ? report.size() - kLogTail : 0);
  if (--runs_left_[job.guest] == 0) guest_ended(job.guest);
}

void Runner::guest_ended(size_t guest) {
  ended_[guest] = true;
  GuestResult& r = results_[guest];
  r.verdict = combine(r.backends);
  const fs::path work = fs::path(o_.out_dir) / ".work" / safe_name(r.entry->name);
  if (r.verdict.result == Result::kFail) {
    const fs::path dir = fs::path(o_.out_dir) / "failed" / safe_name(r.entry->name);
    fs::create_directories(dir.parent_path());
    if (fs::exists(work)) fs::rename(work, dir);
    else fs::create_directories(dir);
    std::ofstream verdict(dir / "verdict");
    verdict << r.entry->name << ": " << r.verdict.reason << "\ndefined at " << r.entry->origin << "\n";
    for (const BackendVerdict& b : r.backends) {
      if (r.backends.size() == 1) break;  // the line above says it all
      const Result result = b.verdict.result;
      const char* how = result == Result::kPass ? "passed" : result == Result::kFail ? "failed: " : "skipped: ";
      verdict << b.backend << ": " << how << b.verdict.reason << "\n";
    }
    r.failure_dir = dir.string();
  } else {
    r.output.clear();
    r.report.clear();
    fs::remove_all(work);
  }
  print(r);
}

void Runner::print(const GuestResult& r) {
  ++done_;
  const size_t width = fmt::format("{}", entries_.size()).size();
  std::string line = fmt::format("[{:>{}}/{}] ", done_, width, entries_.size());
  switch (r.verdict.result) {
    case Result::kPass: {
      std::string times;
      for (const BackendVerdict& b : r.backends) {
        std::string part = b.verdict.result == Result::kPass ? fmt::format("{} {:.2f} s", b.backend, b.seconds)
                                                             : fmt::format("{} skipped: {}", b.backend, b.verdict.reason);
        times += (times.empty() ? "" : "; ") + part;
      }
      line += fmt::format("PASS {} ({})", r.entry->name, times);
      break;
    }
    case Result::kFail:
      line += fmt::format("FAIL {}: {}; logs in {}", r.entry->name, r.verdict.reason, r.failure_dir);
      break;
    case Result::kSkip:
      line += fmt::format("SKIP {}: {}", r.entry->name, r.verdict.reason);
      break;
  }
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

void Runner::write_reports(double seconds) const {
  RunInfo info{started_, {}, seconds, {}};
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  info.hostname = host;
  info.properties = {{"backends", join(o_.backends, ",")}, {"shard", fmt::format("{}/{}", o_.shard_index + 1, o_.shard_count)}};
  if (!o_.clock.empty()) info.properties.emplace_back("clock", o_.clock);
  auto write = [&](const std::string& path, auto writer) {
    if (path.empty()) return;
    std::ofstream out(path);
    writer(out);
    if (!out) throw SuiteError(fmt::format("cannot write {}", path));
  };
  write(o_.junit_file, [&](std::ostream& out) { write_junit(out, results_, info); });
  write(o_.tap_file, [&](std::ostream& out) { write_tap(out, results_); });
}

int Runner::run() {
  const auto start = std::chrono::steady_clock::now();
  const std::string backends = join(o_.backends, ",");
  std::printf("bt86 suite: %zu guest%s on %s, %u at a time%s\n", entries_.size(), entries_.size() == 1 ? "" : "s",
              backends.c_str(), o_.jobs,
              o_.shard_count > 1 ? fmt::format(" (shard {}/{})", o_.shard_index + 1, o_.shard_count).c_str() : "");
  std::fflush(stdout);
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  Children children;
  size_t planned = 0;
  for (;;) {
    while (!interrupted && children.running() < o_.jobs) {
      if (queue_.empty() && planned < entries_.size()) {
        plan(planned++);
        continue;
      }
      if (queue_.empty()) break;
      Job job = queue_.front();
      queue_.pop_front();
      fs::create_directories(job.dir);
      const std::vector<std::string> argv = command_line(o_, entries_[job.guest], job.backend);
      std::ofstream(job.dir / "command") << shell_line(argv) << "\n";
      const double kill_after = entries_[job.guest].timeout_seconds + grace_seconds(entries_[job.guest].timeout_seconds);
      running_.emplace(children.start({argv, (job.dir / "serial.log").string(), (job.dir / "bt86.log").string(), kill_after}),
                       job);
    }
    if (!children.running()) break;
    auto [id, end] = children.wait_next(&interrupted);
    Job job = running_.at(id);
    running_.erase(id);
    if (!interrupted) job_ended(job, end);  // else killed by us: no verdict
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  size_t passed = 0, failed = 0, skipped = 0;
  for (size_t g = 0; g < results_.size(); ++g) {
    if (!ended_[g]) continue;
    const Result result = results_[g].verdict.result;
    ++(result == Result::kPass ? passed : result == Result::kFail ? failed : skipped);
  }
  fs::remove_all(fs::path(o_.out_dir) / ".work");
  if (interrupted) std::printf("interrupted: %zu of %zu guests ended\n", done_, entries_.size());
  else write_reports(seconds);
  std::printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
  std::fflush(stdout);
  if (interrupted) return 130;
  return failed ? 1 : 0;
}

}  // namespace

int run_suite(const SuiteOptions& o) {
  try {
    std::vector<GuestEntry> entries = select_guests(o);
    if (o.list) {
      for (const GuestEntry& e : entries)
        for (const std::string& backend : o.backends) {
          std::string how = e.skip.empty() ? shell_line(command_line(o, e, backend)) : "skipped: " + e.skip;
          std::printf("%s: %s\n", e.name.c_str(), how.c_str());
        }
      return 0;
    }
    prepare_out(o);
    return Runner(o, std::move(entries)).run();
  } catch (const SuiteError& e) {
    std::fprintf(stderr, "bt86 suite: %s\n", e.what());
    return 2;
  } catch (const fs::filesystem_error& e) {
    std::fprintf(stderr, "bt86 suite: %s\n", e.what());
    return 2;
  }
}

}  // namespace bt86::suite
