// The exception vectors of the architecture (SDM vol. 3, table 6-1), the
// classes that decide when a fault while delivering one becomes #DF
// (table 6-4).
#pragma once
#include <cstdint>

namespace bt86 {

enum class Vector : uint8_t {
  kDE = 0,   // divide error
  kDB = 1,   // debug
  kNMI = 2,
  kBP = 3,   // int3
  kOF = 4,   // into
  kBR = 5,   // bound
  kUD = 6,   // invalid opcode
  kNM = 7,   // device not available (CR0.TS/EM)
  kDF = 8,   // double fault
  kTS = 10,  // invalid TSS
  kNP = 11,  // segment not present
  kSS = 12,  // stack-segment fault
  kGP = 13,  // general protection
  kPF = 14,  // page fault
  kMF = 16,  // x87 floating-point error
  kAC = 17,  // alignment check
  kMC = 18,  // machine check
  kXM = 19,  // SIMD floating-point exception
};

constexpr uint8_t number(Vector v) { return static_cast<uint8_t>(v); }

// "#GP", "#PF", ... for reports; "INT" past the exceptions.
const char* vector_name(uint8_t vector);

// The contributory exceptions: #DE, #TS, #NP, #SS, #GP. Two of them in a row,
// or #PF followed by one of them or by #PF, make a double fault.
constexpr bool contributory(uint8_t v) {
  return v == number(Vector::kDE) || (v >= number(Vector::kTS) && v <= number(Vector::kGP));
}

}  // namespace bt86
