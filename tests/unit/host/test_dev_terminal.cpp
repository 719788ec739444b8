// host/terminal.h: the Ctrl-A escape handling that decides what reaches the
// guest and when the user asked to quit.
#include <catch2/catch.hpp>

#include <vector>

#include "bt86/host/terminal.h"

namespace {

using Event = bt86::EscapeFilter::Event;

std::vector<uint8_t> feed_all(bt86::EscapeFilter& f, std::vector<uint8_t> in, Event* last = nullptr) {
  std::vector<uint8_t> out;
  for (uint8_t b : in) {
    Event e = f.feed(b, out);
    if (last && e != Event::kNone) *last = e;
  }
  return out;
}

}  // namespace

TEST_CASE("terminal: ordinary bytes pass through, Ctrl-C included", "[dev][terminal]") {
  bt86::EscapeFilter f;
  CHECK(feed_all(f, {'l', 's', '\r', 0x03, 0x7F}) == std::vector<uint8_t>{'l', 's', '\r', 0x03, 0x7F});
}

TEST_CASE("terminal: Ctrl-A x requests quit and sends nothing", "[dev][terminal]") {
  bt86::EscapeFilter f;
  Event last = Event::kNone;
  CHECK(feed_all(f, {'a', 0x01, 'x'}, &last) == std::vector<uint8_t>{'a'});
  CHECK(last == Event::kQuit);
}

TEST_CASE("terminal: Ctrl-A Ctrl-A sends one Ctrl-A", "[dev][terminal]") {
  bt86::EscapeFilter f;
  Event last = Event::kNone;
  CHECK(feed_all(f, {0x01, 0x01, 'b'}, &last) == std::vector<uint8_t>{0x01, 'b'});
  CHECK(last == Event::kNone);
}

TEST_CASE("terminal: an escape split across reads still works; unknown ones vanish", "[dev][terminal]") {
  bt86::EscapeFilter f;
  CHECK(feed_all(f, {'a', 0x01}).size() == 1);
  Event last = Event::kNone;
  CHECK(feed_all(f, {'h'}, &last).empty());
  CHECK(last == Event::kHelp);
  CHECK(feed_all(f, {0x01, 'q', 'r'}) == std::vector<uint8_t>{'r'});
}

TEST_CASE("terminal: Ctrl-A s asks for the screen dump and sends nothing", "[dev][terminal]") {
  bt86::EscapeFilter f;
  Event last = Event::kNone;
  CHECK(feed_all(f, {'a', 0x01, 's', 'b'}, &last) == std::vector<uint8_t>{'a', 'b'});
  CHECK(last == Event::kScreendump);
}
