// The random machine state a case starts from: registers with edge values,
// arithmetic flags and DF, an x87 stack of mixed classes (normals, zeros,
// denormals, infinities, NaNs, unnormals), any FPU/SSE rounding mode with
// every exception masked, and a data area of random bytes sprinkled with
// floating-point values.
#include <cstring>
#include <random>

#include "generator.h"

namespace bt86::fuzz {

namespace {

class StateRng {
public:
  explicit StateRng(uint64_t seed) : rng_(seed) {}
  uint64_t u64() { return rng_(); }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }

  uint32_t reg() {
    static constexpr uint32_t edges[] = {0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF,
                                         0x80000000, 0xFFFFFFFF};
    return below(4) == 0 ? edges[below(std::size(edges))] : static_cast<uint32_t>(u64());
  }

  // An 80-bit extended value: sign, 15-bit exponent, 64-bit significand.
  void extended(uint8_t* out) {
    uint64_t mant = u64();
    uint16_t exp;
    switch (below(8)) {
      case 0: exp = 0, mant = below(2) ? 0 : mant >> below(64); break;            // zero or denormal
      case 1: exp = 0x7FFF, mant = below(2) ? 1ull << 63 : mant | 1ull << 63; break;  // inf or NaN
      case 2: exp = static_cast<uint16_t>(u64() & 0x7FFF), mant &= ~(1ull << 63); break;  // unnormal
      default: exp = static_cast<uint16_t>(0x3FFF + static_cast<int>(below(128)) - 64), mant |= 1ull << 63;
    }
    if (below(2)) exp |= 0x8000;
    std::memcpy(out, &mant, 8);
    std::memcpy(out + 8, &exp, 2);
  }

  // 8 bytes of a double, two floats, or integers.
  uint64_t lane64() {
    switch (below(4)) {
      case 0: {
        double d = static_cast<double>(static_cast<int64_t>(u64()) >> below(64)) / static_cast<double>(1 + below(1000));
        uint64_t v;
        std::memcpy(&v, &d, 8);
        return v;
      }
      case 1: {
        float f[2] = {static_cast<float>(static_cast<int32_t>(u64()) >> below(32)) / 7.0f,
                      static_cast<float>(below(2000)) - 1000.0f};
        uint64_t v;
        std::memcpy(&v, f, 8);
        return v;
      }
      default: return u64();
    }
  }

private:
  std::mt19937_64 rng_;
};

constexpr uint32_t kArithFlags = 0x08D5;  // CF PF AF ZF SF OF
constexpr uint32_t kDF = 0x400;

}  // namespace

void random_state(uint64_t seed, fuzz_state& s, std::vector<uint8_t>& data) {
  StateRng r(seed);
  std::memset(&s, 0, sizeof s);
  for (uint32_t& g : s.gpr) g = r.reg();
  s.gpr[4] = FUZZ_DATA_BASE + 0x3000 - 4 * r.below(4);  // ESP (kStackStart)
  s.eflags = (static_cast<uint32_t>(r.u64()) & (kArithFlags | kDF)) | 0x202;

  uint8_t* fx = s.fx;
  // Any precision and rounding; exceptions masked, except in one case in
  // eight for x87 and for SSE, where one exception is unmasked (#MF at the
  // next x87 instruction, #XM at once). No flag of an unmasked exception is
  // set yet, and never ES or B: the state is one without a pending #MF.
  const uint16_t x87_masks = static_cast<uint16_t>(r.below(8) ? 0x3F : 0x3F & ~(1u << r.below(6)));
  const uint16_t fcw = static_cast<uint16_t>(0x40 | x87_masks | (r.below(4) << 8) | (r.below(4) << 10));
  const uint16_t fsw = static_cast<uint16_t>(r.u64() & (0x7F40 | x87_masks));
  const uint8_t ftw = static_cast<uint8_t>(r.u64());
  const uint32_t sse_masks = r.below(8) ? 0x3F : 0x3F & ~(1u << r.below(6));
  const uint32_t mxcsr = sse_masks << 7 | (static_cast<uint32_t>(r.u64()) & (0xE040 | sse_masks));
  std::memcpy(fx + 0, &fcw, 2);
  std::memcpy(fx + 2, &fsw, 2);
  fx[4] = ftw;
  std::memcpy(fx + 24, &mxcsr, 4);
  for (int i = 0; i < 8; ++i) r.extended(fx + 32 + 16 * i);
  for (int i = 0; i < 16; ++i) {
    uint64_t v = r.lane64();
    std::memcpy(fx + 160 + 8 * i, &v, 8);
  }

  data.resize(FUZZ_DATA_SIZE);
  for (uint32_t off = 0; off < FUZZ_DATA_SIZE; off += 8) {
    uint64_t v = r.below(4) == 0 ? r.lane64() : r.u64();
    std::memcpy(&data[off], &v, 8);
  }
}

}  // namespace bt86::fuzz
