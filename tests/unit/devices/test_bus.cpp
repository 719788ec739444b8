// devices/bus.h: range mapping, offset translation, the floating bus for
// unclaimed addresses, and the refusal of empty or overlapping ranges.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "bt86/devices/bus.h"

namespace {

// Records every access it sees, and answers reads with a recognisable value.
class RecordingDevice final : public bt86::Device {
public:
  struct Access {
    bool write;
    uint64_t offset;
    unsigned size;
    uint32_t value;
  };
  explicit RecordingDevice(uint32_t read_value = 0x5A5A5A5A) : read_value_(read_value) {}
  std::string_view name() const override { return "recorder"; }
  uint32_t read(uint64_t offset, unsigned size) override {
    log.push_back({false, offset, size, 0});
    return read_value_;
  }
  void write(uint64_t offset, unsigned size, uint32_t value) override {
    log.push_back({true, offset, size, value});
  }
  std::vector<Access> log;

private:
  uint32_t read_value_;
};

}  // namespace

TEST_CASE("bus: find translates an address to an offset within its range", "[bus]") {
  bt86::Bus bus("test");
  RecordingDevice a, b;
  bus.map(0x3F8, 8, a);
  bus.map(0x1000, 0x100, b);

  auto hit = bus.find(0x3F8);
  CHECK(hit.device == &a);
  CHECK(hit.offset == 0);
  hit = bus.find(0x3FF);  // last byte of the range
  CHECK(hit.device == &a);
  CHECK(hit.offset == 7);
  hit = bus.find(0x10FF);
  CHECK(hit.device == &b);
  CHECK(hit.offset == 0xFF);

  CHECK(bus.find(0x3F7).device == nullptr);  // just below
  CHECK(bus.find(0x400).device == nullptr);  // just past the end
  CHECK(bus.find(0x1100).device == nullptr);
  CHECK(bus.find(0).device == nullptr);
}

TEST_CASE("bus: reads and writes reach the device with offset and size", "[bus]") {
  bt86::Bus bus("test");
  RecordingDevice dev(0x1234);
  bus.map(0x60, 5, dev);

  bus.write(0x62, 1, 0xAB);
  bus.write(0x60, 4, 0xDEADBEEF);
  CHECK(bus.read(0x63, 2) == 0x1234);

  REQUIRE(dev.log.size() == 3);
  CHECK(dev.log[0].write);
  CHECK(dev.log[0].offset == 2);
  CHECK(dev.log[0].size == 1);
  CHECK(dev.log[0].value == 0xAB);
  CHECK(dev.log[1].offset == 0);
  CHECK(dev.log[1].size == 4);
  CHECK(dev.log[1].value == 0xDEADBEEF);
  CHECK_FALSE(dev.log[2].write);
  CHECK(dev.log[2].offset == 3);
  CHECK(dev.log[2].size == 2);
  CHECK(bus.unclaimed_accesses() == 0);
}

TEST_CASE("bus: unclaimed reads float to all ones of the access size", "[bus]") {
  bt86::Bus bus("test");
  RecordingDevice dev;
  bus.map(0x100, 4, dev);

  CHECK(bus.read(0x80, 1) == 0xFFu);
  CHECK(bus.read(0x80, 2) == 0xFFFFu);
  CHECK(bus.read(0x80, 4) == 0xFFFFFFFFu);
  CHECK(bus.unclaimed_accesses() == 3);

  bus.write(0x104, 1, 0);  // one past the device: dropped, but counted
  CHECK(bus.unclaimed_accesses() == 4);
  CHECK(dev.log.empty());
}

TEST_CASE("bus: an access across a range's edge is split into bytes, each to its owner", "[bus]") {
  bt86::Bus bus("test");
  RecordingDevice low(0x11), high(0x22);
  bus.map(0x100, 4, low);   // [0x100, 0x104)
  bus.map(0x104, 4, high);  // [0x104, 0x108)

  // Device | device: two byte cycles, one per device, offsets within each.
  CHECK(bus.read(0x103, 2) == 0x2211u);
  REQUIRE(low.log.size() == 1);
  CHECK(low.log[0].offset == 3);
  CHECK(low.log[0].size == 1);
  REQUIRE(high.log.size() == 1);
  CHECK(high.log[0].offset == 0);
  CHECK(high.log[0].size == 1);

  // Device | unclaimed: the unclaimed bytes read as all ones, writes to
  // them vanish; the device never sees an access past its end.
  CHECK(bus.read(0x106, 4) == 0xFFFF2222u);
  bus.write(0x106, 4, 0xA1B2C3D4);
  REQUIRE(high.log.size() == 5);
  CHECK(high.log[3].write);
  CHECK(high.log[3].offset == 2);
  CHECK(high.log[3].value == 0xD4);
  CHECK(high.log[4].offset == 3);
  CHECK(high.log[4].value == 0xC3);
  for (const auto& a : high.log) CHECK(a.offset + a.size <= 4);

  // Unclaimed | device.
  CHECK(bus.read(0xFE, 4) == 0x1111FFFFu);
  for (const auto& a : low.log) CHECK(a.offset + a.size <= 4);
}

TEST_CASE("bus: empty and overlapping ranges are refused", "[bus]") {
  bt86::Bus bus("test");
  RecordingDevice existing, other;
  bus.map(0x100, 0x10, existing);  // [0x100, 0x110)

  CHECK_THROWS_AS(bus.map(0x200, 0, other), bt86::BusError);

  SECTION("same base") { CHECK_THROWS_AS(bus.map(0x100, 1, other), bt86::BusError); }
  SECTION("same range") { CHECK_THROWS_AS(bus.map(0x100, 0x10, other), bt86::BusError); }
  SECTION("strictly inside") { CHECK_THROWS_AS(bus.map(0x104, 4, other), bt86::BusError); }
  SECTION("covering it entirely") { CHECK_THROWS_AS(bus.map(0xF0, 0x40, other), bt86::BusError); }
  SECTION("straddling the start") { CHECK_THROWS_AS(bus.map(0xF8, 0x9, other), bt86::BusError); }
  SECTION("straddling the end") { CHECK_THROWS_AS(bus.map(0x10F, 0x10, other), bt86::BusError); }
  SECTION("wrapping around the address space") {
    CHECK_THROWS_AS(bus.map(~uint64_t{0} - 3, 8, other), bt86::BusError);
  }

  // A refused mapping leaves the bus unchanged.
  CHECK(bus.find(0x10F).device == &existing);
  CHECK(bus.find(0x110).device == nullptr);
  CHECK(bus.find(0xF8).device == nullptr);
}

TEST_CASE("bus: overlap errors name both devices", "[bus]") {
  bt86::Bus bus("port I/O");
  RecordingDevice existing, other;
  bus.map(0x100, 0x10, existing);
  try {
    bus.map(0x108, 0x10, other);
    FAIL("overlap was accepted");
  } catch (const bt86::BusError& e) {
    std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("overlaps"));
    CHECK_THAT(what, Catch::Contains("port I/O"));
  }
}

TEST_CASE("bus: adjacent ranges on either side are accepted", "[bus]") {
  bt86::Bus bus("test");
  RecordingDevice mid, below, above;
  bus.map(0x100, 0x10, mid);
  REQUIRE_NOTHROW(bus.map(0xF0, 0x10, below));   // ends exactly at 0x100
  REQUIRE_NOTHROW(bus.map(0x110, 0x10, above));  // starts exactly at 0x110

  CHECK(bus.find(0xFF).device == &below);
  CHECK(bus.find(0x100).device == &mid);
  CHECK(bus.find(0x10F).device == &mid);
  CHECK(bus.find(0x110).device == &above);
  CHECK(bus.find(0x110).offset == 0);
}

TEST_CASE("bus: unmap removes a device's range, and only that device's", "[bus]") {
  bt86::Bus bus("test");
  RecordingDevice a, b;
  bus.map(0x1000, 0x100, a);
  CHECK_FALSE(bus.unmap(0x1000, b));  // another device's range stays
  CHECK(bus.find(0x1010).device == &a);
  CHECK_FALSE(bus.unmap(0x1010, a));  // not where its range starts
  CHECK(bus.unmap(0x1000, a));
  CHECK(bus.find(0x1010).device == nullptr);
  bus.map(0x1080, 0x100, b);  // the space is free again
  CHECK(bus.find(0x1080).device == &b);
}
