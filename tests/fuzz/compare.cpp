// What is compared, and what is not:
// - EFLAGS: CF PF AF ZF SF OF DF. IF, IOPL, RF and the rest describe the
//   environment (CPL 3 in a Linux process against CPL 0 in a guest), not
//   the instructions, which can only change them through popfd, and the
//   generator's popfd values keep them as both sides have them.
// - FXSAVE: FCW, FSW, the abridged tag word, MXCSR, ST0-7 and XMM0-7. Not
//   FOP, FIP/FCS and FDP/FDS: the last x87 instruction's address and
//   selectors are the host's translated code and bt86's own selectors.
// - Memory: the whole data area, except, for an exception, the 16 bytes
//   below the final ESP where bt86 (at CPL 0, no stack switch) pushes the
//   exception frame while Linux puts its signal frame elsewhere.
// - Exceptions: the vector, the reporting EIP and, for vectors that push
//   one, the error code.
#include <fmt/format.h>

#include <cstring>

#include "outcome.h"

namespace bt86::fuzz {

namespace {

constexpr uint32_t kComparedFlags = 0x0CD5;
const char* const kGprNames[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};

bool has_error_code(uint32_t v) { return v == 8 || (v >= 10 && v <= 14) || v == 17; }

std::string hex(const uint8_t* p, size_t n) {  // most significant byte first
  std::string s;
  for (size_t i = n; i-- > 0;) s += fmt::format("{:02x}", p[i]);
  return s;
}

std::string vector_name(uint32_t v) {
  switch (v) {
    case FUZZ_END: return "end";
    case FUZZ_TIMEOUT: return "timeout";
    case kStopped: return "stopped";
    default: return fmt::format("#{}", v);
  }
}

void compare_fx(const uint8_t* a, const uint8_t* b, std::vector<std::string>& out) {
  struct Field {
    const char* name;
    unsigned off, len;
  };
  static constexpr Field fields[] = {{"fcw", 0, 2}, {"fsw", 2, 2}, {"ftw", 4, 1}, {"mxcsr", 24, 4}};
  for (const Field& f : fields)
    if (std::memcmp(a + f.off, b + f.off, f.len))
      out.push_back(fmt::format("{}: {} vs {}", f.name, hex(a + f.off, f.len), hex(b + f.off, f.len)));
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned off = 32 + 16 * i;
    if (std::memcmp(a + off, b + off, 10))
      out.push_back(fmt::format("st{}: {} vs {}", i, hex(a + off, 10), hex(b + off, 10)));
  }
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned off = 160 + 16 * i;
    if (std::memcmp(a + off, b + off, 16))
      out.push_back(fmt::format("xmm{}: {} vs {}", i, hex(a + off, 16), hex(b + off, 16)));
  }
}

}  // namespace

std::vector<std::string> compare(const Outcome& n, const Outcome& o) {
  std::vector<std::string> out;
  if (n.vector != o.vector)
    out.push_back(fmt::format("vector: {} vs {}", vector_name(n.vector), vector_name(o.vector)));
  if (n.vector == kStopped || o.vector == kStopped || n.vector == FUZZ_TIMEOUT || o.vector == FUZZ_TIMEOUT)
    return out;
  if (n.state.eip != o.state.eip) out.push_back(fmt::format("eip: {:#x} vs {:#x}", n.state.eip, o.state.eip));
  if (n.vector == o.vector && has_error_code(n.vector) && n.error_code != o.error_code)
    out.push_back(fmt::format("error code: {:#x} vs {:#x}", n.error_code, o.error_code));
  for (unsigned i = 0; i < 8; ++i)
    if (n.state.gpr[i] != o.state.gpr[i])
      out.push_back(fmt::format("{}: {:#010x} vs {:#010x}", kGprNames[i], n.state.gpr[i], o.state.gpr[i]));
  uint32_t fa = n.state.eflags & kComparedFlags, fb = o.state.eflags & kComparedFlags;
  if (fa != fb) out.push_back(fmt::format("eflags: {:#x} vs {:#x} (differ in {:#x})", fa, fb, fa ^ fb));
  compare_fx(n.state.fx, o.state.fx, out);

  // The exception frame below ESP (see the top of the file).
  uint32_t hole_lo = 0, hole_hi = 0;
  if (n.vector != FUZZ_END) {
    hole_hi = n.state.gpr[4] - FUZZ_DATA_BASE;
    hole_lo = hole_hi - 16;
  }
  for (uint32_t i = 0; i < FUZZ_DATA_SIZE && i < n.data.size() && i < o.data.size(); ++i) {
    if (i >= hole_lo && i < hole_hi) continue;
    if (n.data[i] != o.data[i]) {
      uint32_t line = i & ~15u;
      out.push_back(fmt::format("memory {:#x}: {} vs {}", FUZZ_DATA_BASE + line, hex(&n.data[line], 16),
                                hex(&o.data[line], 16)));
      i = line + 15;
    }
  }
  return out;
}

std::string field_of(const std::string& line) { return line.substr(0, line.find(':')); }

std::string describe(const fuzz_state& s) {
  std::string out;
  for (unsigned i = 0; i < 8; ++i)
    out += fmt::format("{}={:08x}{}", kGprNames[i], s.gpr[i], i == 3 || i == 7 ? "\n" : " ");
  out += fmt::format("eip={:08x} eflags={:08x}\n", s.eip, s.eflags);
  uint16_t fcw, fsw;
  uint32_t mxcsr;
  std::memcpy(&fcw, s.fx, 2);
  std::memcpy(&fsw, s.fx + 2, 2);
  std::memcpy(&mxcsr, s.fx + 24, 4);
  out += fmt::format("fcw={:04x} fsw={:04x} ftw={:02x} mxcsr={:08x}\n", fcw, fsw, s.fx[4], mxcsr);
  for (unsigned i = 0; i < 8; ++i)
    out += fmt::format("st{}={}{}", i, hex(s.fx + 32 + 16 * i, 10), i % 4 == 3 ? "\n" : " ");
  for (unsigned i = 0; i < 8; ++i)
    out += fmt::format("xmm{}={}{}", i, hex(s.fx + 160 + 16 * i, 16), i % 2 == 1 ? "\n" : " ");
  return out;
}

}  // namespace bt86::fuzz
