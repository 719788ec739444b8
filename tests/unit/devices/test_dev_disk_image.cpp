// devices/disk_image.h: the images it refuses and why, reads and writes at
// byte offsets, FLUSH's fsync, read-only files, and the snapshot overlay
// that leaves the image as it was.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "bt86/devices/disk_image.h"

namespace {

using bt86::DiskImage;

struct TempDir {
  std::filesystem::path dir;
  TempDir() {
    char name[] = "/tmp/bt86-disk-XXXXXX";
    dir = ::mkdtemp(name);
  }
  ~TempDir() { std::filesystem::remove_all(dir); }
  std::string file(const std::string& name, const std::vector<uint8_t>& bytes) {
    const auto path = dir / name;
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
    return path;
  }
};

std::vector<uint8_t> bytes(size_t n, uint8_t seed = 0) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 3 + i / 512);
  return v;
}

std::vector<uint8_t> contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string refusal(const std::string& path, DiskImage::Media media = DiskImage::Media::kDisk) {
  try {
    DiskImage image(path, media, false);
  } catch (const bt86::DiskImageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("disk image: missing, empty, odd-sized and non-regular files are refused", "[dev][disk]") {
  TempDir t;
  CHECK_THAT(refusal((t.dir / "nope.img").string()), Catch::Contains("cannot open disk image") && Catch::Contains("No such file"));
  CHECK_THAT(refusal(t.file("empty.img", {})), Catch::Contains("is empty"));
  CHECK_THAT(refusal(t.file("odd.img", bytes(1000))), Catch::Contains("1000 bytes, not a whole number of 512-byte sectors"));
  CHECK_THAT(refusal(t.file("odd.iso", bytes(2048 + 512)), DiskImage::Media::kCdrom),
             Catch::Contains("CD-ROM image") && Catch::Contains("2048-byte sectors"));
  CHECK_THAT(refusal(t.dir.string()), Catch::Contains("not a regular file"));
  CHECK(refusal(t.file("ok.img", bytes(1024))).empty());
}

TEST_CASE("disk image: reads and writes at byte offsets reach the file", "[dev][disk]") {
  TempDir t;
  const auto original = bytes(8 * 512);
  const std::string path = t.file("disk.img", original);
  DiskImage image(path, DiskImage::Media::kDisk, false);
  CHECK(image.size() == 8 * 512);
  CHECK_FALSE(image.read_only());
  std::vector<uint8_t> got(700);
  REQUIRE(image.read(300, got));
  CHECK(got == std::vector<uint8_t>(original.begin() + 300, original.begin() + 1000));
  const auto data = bytes(1024, 50);
  REQUIRE(image.write(512, data));
  REQUIRE(image.flush());
  auto file = contents(path);
  CHECK(std::vector<uint8_t>(file.begin() + 512, file.begin() + 1536) == data);
}

TEST_CASE("disk image: a CD-ROM image and a read-only file are read-only", "[dev][disk]") {
  TempDir t;
  const std::string iso = t.file("cd.iso", bytes(4 * 2048));
  DiskImage cd(iso, DiskImage::Media::kCdrom, false);
  CHECK(cd.read_only());
  CHECK_FALSE(cd.write(0, bytes(512)));
  CHECK(contents(iso) == bytes(4 * 2048));
  if (::geteuid() != 0) {  // root may write anything
    const std::string path = t.file("ro.img", bytes(1024));
    ::chmod(path.c_str(), 0444);
    DiskImage ro(path, DiskImage::Media::kDisk, false);
    CHECK(ro.read_only());
    CHECK_FALSE(ro.read_only_reason().empty());
  }
}

TEST_CASE("disk image: a snapshot keeps the guest's writes in an overlay", "[dev][disk]") {
  TempDir t;
  const auto original = bytes(16 * 512);
  const std::string path = t.file("disk.img", original);
  DiskImage image(path, DiskImage::Media::kDisk, true);
  CHECK_FALSE(image.read_only());
  const auto data = bytes(600, 200);
  REQUIRE(image.write(1000, data));  // sectors 1-3, each in part
  std::vector<uint8_t> got(16 * 512);
  REQUIRE(image.read(0, got));
  auto expected = original;
  std::copy(data.begin(), data.end(), expected.begin() + 1000);
  CHECK(got == expected);  // the overlay's sectors and the image's, each where it belongs
  std::vector<uint8_t> part(100);
  REQUIRE(image.read(1550, part));  // inside an overlay sector
  CHECK(part == std::vector<uint8_t>(expected.begin() + 1550, expected.begin() + 1650));
  REQUIRE(image.flush());
  CHECK(contents(path) == original);  // the image never changes
}
