#include "registers.h"

#include <cstring>

namespace bt86::gdb {

namespace {

// Register numbers (gdb's i386 order).
constexpr unsigned kEip = 8, kEflags = 9, kFirstSeg = 10, kFirstSt = 16, kFctrl = 24, kFstat = 25, kFtag = 26,
                   kFiseg = 27, kFioff = 28, kFoseg = 29, kFooff = 30, kFop = 31, kFirstXmm = 32, kMxcsr = 40;
// gdb's selector order (cs ss ds es fs gs) as CpuState's segment registers.
constexpr SegReg kSegOrder[6] = {kCs, kSs, kDs, kEs, kFs, kGs};
// FXSAVE image offsets.
constexpr unsigned kFxFcw = 0, kFxFsw = 2, kFxFtw = 4, kFxFop = 6, kFxFip = 8, kFxFcs = 12, kFxFdp = 16, kFxFds = 20,
                   kFxMxcsr = 24, kFxSt = 32, kFxXmm = 160;

constexpr char kTargetXml[] = R"(<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
  <architecture>i386</architecture>
  <feature name="org.gnu.gdb.i386.core">
    <flags id="i386_eflags" size="4">
      <field name="CF" start="0" end="0"/>
      <field name="" start="1" end="1"/>
      <field name="PF" start="2" end="2"/>
      <field name="AF" start="4" end="4"/>
      <field name="ZF" start="6" end="6"/>
      <field name="SF" start="7" end="7"/>
      <field name="TF" start="8" end="8"/>
      <field name="IF" start="9" end="9"/>
      <field name="DF" start="10" end="10"/>
      <field name="OF" start="11" end="11"/>
      <field name="NT" start="14" end="14"/>
      <field name="RF" start="16" end="16"/>
      <field name="VM" start="17" end="17"/>
      <field name="AC" start="18" end="18"/>
      <field name="VIF" start="19" end="19"/>
      <field name="VIP" start="20" end="20"/>
      <field name="ID" start="21" end="21"/>
    </flags>
    <reg name="eax" bitsize="32" type="int32" regnum="0"/>
    <reg name="ecx" bitsize="32" type="int32"/>
    <reg name="edx" bitsize="32" type="int32"/>
    <reg name="ebx" bitsize="32" type="int32"/>
    <reg name="esp" bitsize="32" type="data_ptr"/>
    <reg name="ebp" bitsize="32" type="data_ptr"/>
    <reg name="esi" bitsize="32" type="int32"/>
    <reg name="edi" bitsize="32" type="int32"/>
    <reg name="eip" bitsize="32" type="code_ptr"/>
    <reg name="eflags" bitsize="32" type="i386_eflags"/>
    <reg name="cs" bitsize="32" type="int32"/>
    <reg name="ss" bitsize="32" type="int32"/>
    <reg name="ds" bitsize="32" type="int32"/>
    <reg name="es" bitsize="32" type="int32"/>
    <reg name="fs" bitsize="32" type="int32"/>
    <reg name="gs" bitsize="32" type="int32"/>
    <reg name="st0" bitsize="80" type="i387_ext"/>
    <reg name="st1" bitsize="80" type="i387_ext"/>
    <reg name="st2" bitsize="80" type="i387_ext"/>
    <reg name="st3" bitsize="80" type="i387_ext"/>
    <reg name="st4" bitsize="80" type="i387_ext"/>
    <reg name="st5" bitsize="80" type="i387_ext"/>
    <reg name="st6" bitsize="80" type="i387_ext"/>
    <reg name="st7" bitsize="80" type="i387_ext"/>
    <reg name="fctrl" bitsize="32" type="int" group="float"/>
    <reg name="fstat" bitsize="32" type="int" group="float"/>
    <reg name="ftag" bitsize="32" type="int" group="float"/>
    <reg name="fiseg" bitsize="32" type="int" group="float"/>
    <reg name="fioff" bitsize="32" type="int" group="float"/>
    <reg name="foseg" bitsize="32" type="int" group="float"/>
    <reg name="fooff" bitsize="32" type="int" group="float"/>
    <reg name="fop" bitsize="32" type="int" group="float"/>
  </feature>
  <feature name="org.gnu.gdb.i386.sse">
    <vector id="v4f" type="ieee_single" count="4"/>
    <vector id="v2d" type="ieee_double" count="2"/>
    <vector id="v16i8" type="int8" count="16"/>
    <vector id="v8i16" type="int16" count="8"/>
    <vector id="v4i32" type="int32" count="4"/>
    <vector id="v2i64" type="int64" count="2"/>
    <union id="vec128">
      <field name="v4_float" type="v4f"/>
      <field name="v2_double" type="v2d"/>
      <field name="v16_int8" type="v16i8"/>
      <field name="v8_int16" type="v8i16"/>
      <field name="v4_int32" type="v4i32"/>
      <field name="v2_int64" type="v2i64"/>
      <field name="uint128" type="uint128"/>
    </union>
    <flags id="i386_mxcsr" size="4">
      <field name="IE" start="0" end="0"/>
      <field name="DE" start="1" end="1"/>
      <field name="ZE" start="2" end="2"/>
      <field name="OE" start="3" end="3"/>
      <field name="UE" start="4" end="4"/>
      <field name="PE" start="5" end="5"/>
      <field name="DAZ" start="6" end="6"/>
      <field name="IM" start="7" end="7"/>
      <field name="DM" start="8" end="8"/>
      <field name="ZM" start="9" end="9"/>
      <field name="OM" start="10" end="10"/>
      <field name="UM" start="11" end="11"/>
      <field name="PM" start="12" end="12"/>
      <field name="FZ" start="15" end="15"/>
    </flags>
    <reg name="xmm0" bitsize="128" type="vec128" regnum="32"/>
    <reg name="xmm1" bitsize="128" type="vec128"/>
    <reg name="xmm2" bitsize="128" type="vec128"/>
    <reg name="xmm3" bitsize="128" type="vec128"/>
    <reg name="xmm4" bitsize="128" type="vec128"/>
    <reg name="xmm5" bitsize="128" type="vec128"/>
    <reg name="xmm6" bitsize="128" type="vec128"/>
    <reg name="xmm7" bitsize="128" type="vec128"/>
    <reg name="mxcsr" bitsize="32" type="i386_mxcsr" group="vector"/>
  </feature>
</target>
)";

uint32_t fx32(const CpuState& cpu, unsigned offset, unsigned size) {
  uint32_t v = 0;
  std::memcpy(&v, cpu.fxsave + offset, size);
  return v;
}
void set_fx(CpuState& cpu, unsigned offset, unsigned size, uint32_t v) { std::memcpy(cpu.fxsave + offset, &v, size); }

// The two-bit tag of an x87 register holding the 80-bit value at p (the
// register is not empty): 0 valid, 1 zero, 2 special (NaN, infinity,
// denormal, unsupported).
unsigned full_tag(const uint8_t* p) {
  uint64_t mantissa;
  uint16_t sign_exponent;
  std::memcpy(&mantissa, p, 8);
  std::memcpy(&sign_exponent, p + 8, 2);
  const unsigned exponent = sign_exponent & 0x7FFF;
  if (exponent == 0x7FFF) return 2;
  if (exponent == 0) return mantissa == 0 ? 1 : 2;
  return (mantissa >> 63) ? 0 : 2;  // no integer bit: unnormal
}

// FXSAVE keeps one bit per physical register (1: not empty); gdb wants the
// FSTENV tag word, two bits per physical register.
uint32_t tag_word(const CpuState& cpu) {
  const unsigned abridged = cpu.fxsave[kFxFtw], top = (fx32(cpu, kFxFsw, 2) >> 11) & 7;
  uint32_t tags = 0;
  for (unsigned physical = 0; physical < 8; ++physical) {
    const unsigned st = (physical - top) & 7;  // FXSAVE stores registers in stack order
    const unsigned tag = (abridged >> physical) & 1 ? full_tag(cpu.fxsave + kFxSt + 16 * st) : 3;
    tags |= tag << (2 * physical);
  }
  return tags;
}

uint32_t abridged_tags(uint32_t tags) {
  uint32_t abridged = 0;
  for (unsigned physical = 0; physical < 8; ++physical)
    if (((tags >> (2 * physical)) & 3) != 3) abridged |= 1u << physical;
  return abridged;
}

// Where a register of the FXSAVE image lives: offset and size (0: not one).
struct FxField {
  unsigned offset, size;
};
FxField fx_field(unsigned n) {
  if (n >= kFirstSt && n < kFirstSt + 8) return {kFxSt + 16 * (n - kFirstSt), 10};
  if (n >= kFirstXmm && n < kFirstXmm + 8) return {kFxXmm + 16 * (n - kFirstXmm), 16};
  switch (n) {
    case kFctrl: return {kFxFcw, 2};
    case kFstat: return {kFxFsw, 2};
    case kFiseg: return {kFxFcs, 2};
    case kFioff: return {kFxFip, 4};
    case kFoseg: return {kFxFds, 2};
    case kFooff: return {kFxFdp, 4};
    case kFop: return {kFxFop, 2};
    case kMxcsr: return {kFxMxcsr, 4};
    default: return {0, 0};
  }
}

std::string bytes_of(uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }

}  // namespace

std::string_view target_xml() { return kTargetXml; }

uint32_t program_counter(const CpuState& cpu) { return cpu.seg[kCs].base + cpu.eip; }
void set_program_counter(CpuState& cpu, uint32_t linear) { cpu.eip = linear - cpu.seg[kCs].base; }

unsigned register_size(unsigned n) {
  if (n >= kFirstSt && n < kFirstSt + 8) return 10;
  if (n >= kFirstXmm && n < kFirstXmm + 8) return 16;
  return 4;
}

std::string read_register(const CpuState& cpu, unsigned n) {
  if (n < 8) return bytes_of(cpu.gpr[n]);
  if (n == kEip) return bytes_of(program_counter(cpu));
  if (n == kEflags) return bytes_of(cpu.eflags);
  if (n >= kFirstSeg && n < kFirstSeg + 6) return bytes_of(cpu.seg[kSegOrder[n - kFirstSeg]].selector);
  if (n == kFtag) return bytes_of(tag_word(cpu));
  const FxField f = fx_field(n);
  if (f.size >= 10) return std::string(reinterpret_cast<const char*>(cpu.fxsave + f.offset), f.size);
  uint32_t v = fx32(cpu, f.offset, f.size);
  if (n == kFop) v &= 0x7FF;
  return bytes_of(v);
}

bool write_register(CpuState& cpu, unsigned n, std::string_view bytes) {
  if (n >= kRegisters || bytes.size() != register_size(n)) return false;
  uint32_t v = 0;
  if (bytes.size() == 4) std::memcpy(&v, bytes.data(), 4);
  if (n < 8) cpu.gpr[n] = v;
  else if (n == kEip) set_program_counter(cpu, v);
  // Only what the guest could set itself; VM would need virtual-8086 mode.
  else if (n == kEflags) cpu.eflags = (v & eflags::kImplemented & ~eflags::kVM) | eflags::kFixed1;
  else if (n >= kFirstSeg && n < kFirstSeg + 6) return v == cpu.seg[kSegOrder[n - kFirstSeg]].selector;
  else if (n == kFtag) cpu.fxsave[kFxFtw] = static_cast<uint8_t>(abridged_tags(v));
  else {
    const FxField f = fx_field(n);
    if (f.size >= 10) std::memcpy(cpu.fxsave + f.offset, bytes.data(), f.size);
    else set_fx(cpu, f.offset, f.size, n == kFop ? v & 0x7FF : v);
  }
  return true;
}

}  // namespace bt86::gdb
