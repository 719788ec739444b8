// Child processes (bt86/suite/process.h): exit statuses and signals come
// back, output lands in files, and a child past its deadline is killed with
// everything it started.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "bt86/suite/process.h"
#include "temp_dir.h"

using namespace bt86::suite;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("suite children: exit statuses, signals, output files, several at once", "[suite]") {
  bt86::test::TempDir dir;
  auto out = [&](const char* name) { return (dir.path / name).string(); };
  Children children;
  const int a = children.start({{"/bin/sh", "-c", "echo out; echo err >&2; exit 7"}, out("a.out"), out("a.err"), 10});
  const int b = children.start({{"/bin/sh", "-c", "read x; kill -TERM $$"}, out("b.out"), out("b.err"), 10});
  const int c = children.start({{"/nonexistent/program"}, out("c.out"), out("c.err"), 10});
  std::map<int, ChildEnd> ended;
  while (ended.size() < 3) ended.insert(children.wait_next());
  CHECK(ended[a].kind == ChildEnd::Kind::kExited);
  CHECK(ended[a].code == 7);
  CHECK(slurp(out("a.out")) == "out\n");
  CHECK(slurp(out("a.err")) == "err\n");
  CHECK(ended[b].kind == ChildEnd::Kind::kSignaled);  // stdin is /dev/null: read returns at once
  CHECK(ended[b].code == SIGTERM);
  CHECK(ended[c].kind == ChildEnd::Kind::kNotStarted);
  CHECK_THAT(ended[c].error, Catch::Contains("/nonexistent/program"));
  CHECK(children.running() == 0);
}

TEST_CASE("suite children: a child past its deadline is killed, with what it started", "[suite]") {
  bt86::test::TempDir dir;
  const std::string pid_file = (dir.path / "grandchild").string();
  Children children;
  const auto start = std::chrono::steady_clock::now();
  children.start({{"/bin/sh", "-c", "sleep 60 & echo $! > " + pid_file + "; wait"}, "/dev/null", "/dev/null", 0.3});
  auto [id, end] = children.wait_next();
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(end.kind == ChildEnd::Kind::kKilled);
  CHECK(end.seconds >= 0.3);
  CHECK(took < 5);
  // The grandchild (sleep) went with its process group.
  int pid = 0;
  std::ifstream(pid_file) >> pid;
  REQUIRE(pid > 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = ::kill(pid, 0) != 0;  // reaped by init once killed
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(gone);
}

TEST_CASE("suite children: an interruption kills every child", "[suite]") {
  Children children;
  for (int i = 0; i < 3; ++i) children.start({{"/bin/sleep", "60"}, "/dev/null", "/dev/null", 0});
  const std::atomic<bool> interrupted{true};
  for (int i = 0; i < 3; ++i) CHECK(children.wait_next(&interrupted).second.kind == ChildEnd::Kind::kKilled);
}

TEST_CASE("suite children: run_captured returns stdout", "[suite]") {
  ChildEnd end;
  CHECK(run_captured({"/bin/sh", "-c", "echo SKIPPED: why; exit 77"}, 10, end) == "SKIPPED: why\n");
  CHECK(end.kind == ChildEnd::Kind::kExited);
  CHECK(end.code == 77);
}
