// The tracer: event names, the line format (guest time, EIP, CPL, event),
// mode lines only when the mode changes, time held while bt86 works on its
// own, and the ring of the last 16 interrupts a dying guest's report shows.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "bt86/vcpu/tracer.h"

using namespace bt86;

namespace {
// What the tracer wrote, read back.
struct Captured {
  std::FILE* file = std::tmpfile();
  ~Captured() { std::fclose(file); }
  std::string text() {
    std::fflush(file);
    std::rewind(file);
    std::string s;
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) s.append(buffer, n);
    return s;
  }
};
}  // namespace

TEST_CASE("tracer: event names", "[trace]") {
  std::string error;
  CHECK(parse_trace_events("int,io", error) == (trace::kInt | trace::kIo));
  CHECK(parse_trace_events("all", error) == ~0u);
  CHECK(!parse_trace_events("int,irq", error));
  CHECK(error.find("unknown event 'irq'") != std::string::npos);
}

TEST_CASE("tracer: one line per event with the guest's time, EIP and CPL", "[trace]") {
  Captured out;
  VirtualClock clock;
  Tracer tracer(trace::kInt | trace::kCr | trace::kMode, out.file);
  tracer.set_clock(&clock);
  clock.advance(1'500'000'001);
  tracer.interrupt({0x1000, 3}, Event::exception(Vector::kPF, 6u));
  tracer.cr({0x1004, 0}, 3, 0x1000, 0x2000);
  tracer.exit({0x1008, 0}, "in");  // not asked for
  CpuState cpu{};
  cpu.cr0 = cr0::kPE;
  tracer.mode({0x100c, 0}, cpu);  // the first look: nothing changed yet
  tracer.mode({0x100c, 0}, cpu);
  cpu.cr0 |= cr0::kPG;
  tracer.mode({0x1010, 0}, cpu);
  CHECK(out.text() ==
        "1.500000001 eip=0x00001000 cpl=3 int vector=0x0e #PF exception error=0x6\n"
        "1.500000001 eip=0x00001004 cpl=0 cr cr3=0x00002000 old=0x00001000\n"
        "1.500000001 eip=0x00001010 cpl=0 mode protected paging=32-bit (was protected paging=off)\n");
}

TEST_CASE("tracer: time held while bt86 works on its own never steps back", "[trace]") {
  Captured out;
  VirtualClock clock;
  Tracer tracer(trace::kExit, out.file);
  tracer.set_clock(&clock);
  clock.advance(100);
  tracer.hold_time();
  clock.advance(50);
  tracer.exit({0, 0}, "held");
  tracer.release_time();
  tracer.exit({0, 0}, "after");
  CHECK(out.text() == "0.000000100 eip=0x00000000 cpl=0 exit held\n0.000000150 eip=0x00000000 cpl=0 exit after\n");
}

TEST_CASE("tracer: the ring keeps the last 16 interrupts, oldest first, with no trace asked for", "[trace]") {
  Tracer tracer(0, nullptr);
  CHECK(tracer.recent_interrupts().empty());
  for (unsigned v = 0; v < 20; ++v) tracer.interrupt({v, 0}, Event{static_cast<uint8_t>(0x20 + v), std::nullopt, EventKind::kExternal});
  const std::string ring = tracer.recent_interrupts();
  CHECK(ring.find("the last 16 interrupts and exceptions, oldest first:") == 0);
  CHECK(ring.find("vector=0x23") == std::string::npos);
  CHECK(ring.find("vector=0x24") < ring.find("vector=0x33"));
  CHECK(ring.find("eip=0x00000013 cpl=0 vector=0x33 INT external") != std::string::npos);
  CpuState cpu{};
  const std::string report = death_report("triple fault", cpu, &tracer);
  CHECK(report.find("triple fault\nthe last 16") == 0);
  CHECK(report.find("vector=0x33") < report.find("EAX="));
}

TEST_CASE("tracer: the ring's times on a host clock fall between the clock's reads around the events", "[trace]") {
  HostClock clock;
  Tracer tracer(0, nullptr);  // no trace: the ring stamps with the TSC
  tracer.set_clock(&clock);
  while (clock.now_ns() < 2'000'000) {
  }
  const uint64_t before = clock.now_ns();
  tracer.interrupt({0x1234, 0}, Event{0x20, std::nullopt, EventKind::kExternal});
  const uint64_t after = clock.now_ns();
  while (clock.now_ns() < after + 2'000'000) {
  }
  const std::string ring = tracer.recent_interrupts();
  const size_t at = ring.find("  ");
  REQUIRE(at != std::string::npos);
  const double seconds = std::stod(ring.substr(at + 2));
  // Within a tenth of a millisecond of when it happened.
  CHECK(seconds * 1e9 >= static_cast<double>(before) - 1e5);
  CHECK(seconds * 1e9 <= static_cast<double>(after) + 1e5);
}
