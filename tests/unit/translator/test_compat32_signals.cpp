// translator/runtime/compat32.h (through testing.h's NativeLegacy) under
// asynchronous signals: the engine's waker
// signals the vCPU thread at any moment, and a signal that lands while the
// host CPU is in compatibility mode must not derail the snippet (it did:
// bt86 crashed with RIP 0 until compat32 blocked them).
#include <catch2/catch.hpp>

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <vector>

#include "bt86/translator/testing.h"

namespace {
std::atomic<uint64_t> g_signals{0};
void count_signal(int) { ++g_signals; }
}  // namespace

TEST_CASE("compat32: legacy instructions stay right while a timer signal storms the thread", "[compat32]") {
  bt86::testing::NativeLegacy c;
  const uint8_t daa[] = {0x27};
  std::vector<bt86::testing::NativeLegacy::Result> want;
  for (uint32_t v = 0; v < 0x200; ++v) want.push_back(c.run(daa, v & 0xFF, (v >> 8) ? 0x11 : 0));

  const int sig = SIGRTMIN + 1;
  struct sigaction sa {}, old {};
  sa.sa_handler = count_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  REQUIRE(sigaction(sig, &sa, &old) == 0);
  sigevent sev{};
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = sig;
  sev._sigev_un._tid = gettid();
  timer_t timer;
  REQUIRE(timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0);
  itimerspec every{{0, 20000}, {0, 20000}};  // every 20 us
  timer_settime(timer, 0, &every, nullptr);

  unsigned wrong = 0;
  for (int round = 0; round < 100; ++round)
    for (uint32_t v = 0; v < 0x200; ++v) {
      bt86::testing::NativeLegacy::Result r = c.run(daa, v & 0xFF, (v >> 8) ? 0x11 : 0);
      wrong += r.eax != want[v].eax || r.eflags != want[v].eflags;
    }
  timer_delete(timer);
  sigaction(sig, &old, nullptr);
  INFO(g_signals.load() << " signals arrived");
  CHECK(g_signals > 100);  // the storm really happened
  CHECK(wrong == 0);
}
