// devices/clock.h: the clocks and the timer queue the device models share.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "bt86/devices/clock.h"

using bt86::EventQueue;

TEST_CASE("clock: virtual time moves only when advanced", "[dev][clock]") {
  bt86::VirtualClock clock;
  CHECK(clock.now_ns() == 0);
  CHECK(clock.now_ns() == 0);
  clock.advance(1500);
  CHECK(clock.now_ns() == 1500);
  clock.advance(0);
  CHECK(clock.now_ns() == 1500);
}

TEST_CASE("clock: host clock starts near zero and never goes back", "[dev][clock]") {
  bt86::HostClock clock;
  uint64_t first = clock.now_ns();
  CHECK(first < 1'000'000'000ull);  // counted from construction, not boot
  uint64_t previous = first;
  for (int i = 0; i < 1000; ++i) {
    uint64_t now = clock.now_ns();
    REQUIRE(now >= previous);
    previous = now;
  }
}

TEST_CASE("events: expired timers run in deadline order, ties in scheduling order", "[dev][clock]") {
  EventQueue q;
  std::string log;
  q.schedule(300, [&] { log += 'c'; });
  q.schedule(100, [&] { log += 'a'; });
  q.schedule(200, [&] { log += 'b'; });
  q.schedule(200, [&] { log += 'B'; });
  q.schedule(400, [&] { log += 'd'; });
  REQUIRE(q.next_deadline() == 100u);

  q.run_expired(99);
  CHECK(log.empty());
  q.run_expired(300);
  CHECK(log == "abBc");
  CHECK(q.next_deadline() == 400u);
  q.run_expired(1000);
  CHECK(log == "abBcd");
  CHECK_FALSE(q.next_deadline().has_value());
  CHECK(q.size() == 0);
}

TEST_CASE("events: a cancelled timer never runs", "[dev][clock]") {
  EventQueue q;
  int ran = 0;
  EventQueue::TimerId a = q.schedule(10, [&] { ran += 1; });
  EventQueue::TimerId b = q.schedule(20, [&] { ran += 10; });
  CHECK(q.cancel(a));
  CHECK_FALSE(q.cancel(a));  // already gone
  CHECK(q.next_deadline() == 20u);
  q.run_expired(100);
  CHECK(ran == 10);
  CHECK_FALSE(q.cancel(b));  // already ran
}

TEST_CASE("events: callbacks may schedule; what is due by now runs in the same call", "[dev][clock]") {
  EventQueue q;
  std::vector<int> order;
  q.schedule(10, [&] {
    order.push_back(1);
    q.schedule(15, [&] { order.push_back(2); });   // due: runs now
    q.schedule(500, [&] { order.push_back(3); });  // later
  });
  q.run_expired(20);
  CHECK(order == std::vector<int>{1, 2});
  CHECK(q.next_deadline() == 500u);
}

TEST_CASE("events: a callback may cancel a later timer", "[dev][clock]") {
  EventQueue q;
  int ran = 0;
  EventQueue::TimerId later = 0;
  q.schedule(10, [&] { q.cancel(later); });
  later = q.schedule(20, [&] { ++ran; });
  q.run_expired(100);
  CHECK(ran == 0);
}

TEST_CASE("events: the hook hears about earlier deadlines only", "[dev][clock]") {
  EventQueue q;
  std::vector<uint64_t> heard;
  q.set_on_earlier_deadline([&](uint64_t when) { heard.push_back(when); });
  q.schedule(1000, [] {});
  q.schedule(2000, [] {});  // not earlier
  q.schedule(500, [] {});
  CHECK(heard == std::vector<uint64_t>{1000, 500});
}

TEST_CASE("events: a timer slot keeps at most one timer", "[dev][clock]") {
  EventQueue q;
  int fired = 0;
  {
    bt86::TimerSlot slot(q);
    slot.arm(100, [&] { fired += 1; });
    slot.arm(200, [&] { fired += 10; });  // replaces the first
    CHECK(q.size() == 1);
    CHECK(slot.armed());
    q.run_expired(150);
    CHECK(fired == 0);
    q.run_expired(250);
    CHECK(fired == 10);
    CHECK_FALSE(slot.armed());
    slot.arm(300, [&] { fired += 100; });
  }  // destroying the slot cancels its timer
  CHECK(q.size() == 0);
  q.run_expired(1000);
  CHECK(fired == 10);
}
