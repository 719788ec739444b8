#include "model_machine.h"

#include <catch2/catch.hpp>

#include <cstring>

namespace bt86::test {

unsigned index64(ZydisRegister r) {
  return ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r) - ZYDIS_REGISTER_RAX;
}

ModelMachine::ModelMachine(const uint32_t seg_bases[6]) {
  for (unsigned g = 0; g < 8; ++g) reg[g == kEsp ? 8 : g] = kGuestRegs[g];
  reg[14] = kCpuPtr;
  reg[15] = kWindow;
  std::memcpy(frame.seg_base, seg_bases, sizeof frame.seg_base);
  frame.string_stride = 1;
}

uint32_t ModelMachine::initial(uint32_t linear, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint32_t{initial_byte(linear + i)} << 8 * i;
  return v;
}

uint32_t ModelMachine::guest_read(uint32_t linear, unsigned size) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) {
    auto it = stored.find(linear + i);
    v |= uint32_t{it != stored.end() ? it->second : initial_byte(linear + i)} << 8 * i;
  }
  return v;
}

uint64_t ModelMachine::read(ZydisRegister r) const {
  if (r == ZYDIS_REGISTER_NONE) return 0;
  uint64_t v = reg[index64(r)];
  if (r >= ZYDIS_REGISTER_AH && r <= ZYDIS_REGISTER_BH) return v >> 8 & 0xFF;
  unsigned width = ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, r);
  return width == 64 ? v : v & ((1ull << width) - 1);
}

void ModelMachine::write(ZydisRegister r, uint64_t v) {
  unsigned width = ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, r);
  uint64_t& slot = reg[index64(r)];
  if (r >= ZYDIS_REGISTER_AH && r <= ZYDIS_REGISTER_BH) slot = (slot & ~0xFF00ull) | (v & 0xFF) << 8;
  else if (width == 64) slot = v;
  else if (width == 32) slot = v & 0xFFFFFFFF;  // 32-bit writes zero-extend
  else slot = (slot & ~((1ull << width) - 1)) | (v & ((1ull << width) - 1));
}

uint64_t ModelMachine::address(const ZydisDecodedOperand& m) const {
  uint64_t disp = m.mem.disp.has_displacement ? static_cast<uint64_t>(m.mem.disp.value) : 0;
  return read(m.mem.base) + read(m.mem.index) * (m.mem.scale ? m.mem.scale : 1) + disp;
}

uint64_t ModelMachine::load(const ZydisDecodedOperand& m) {
  const unsigned size = m.size / 8;
  const uint64_t a = address(m);
  if (m.mem.base == ZYDIS_REGISTER_R14) {
    REQUIRE(a - kCpuPtr + size <= sizeof frame);
    uint64_t v = 0;
    std::memcpy(&v, reinterpret_cast<const uint8_t*>(&frame) + (a - kCpuPtr), size);
    return v;
  }
  REQUIRE(a - kWindow < (1ull << 32));  // inside the shadow window
  return guest_read(static_cast<uint32_t>(a - kWindow), size);
}

void ModelMachine::store(const ZydisDecodedOperand& m, uint64_t v) {
  const unsigned size = m.size / 8;
  const uint64_t a = address(m);
  if (m.mem.base == ZYDIS_REGISTER_R14) {
    REQUIRE(a - kCpuPtr + size <= sizeof frame);
    std::memcpy(reinterpret_cast<uint8_t*>(&frame) + (a - kCpuPtr), &v, size);
    return;
  }
  REQUIRE(a - kWindow < (1ull << 32));
  for (unsigned i = 0; i < size; ++i) stored[static_cast<uint32_t>(a - kWindow) + i] = static_cast<uint8_t>(v >> 8 * i);
}

bool ModelMachine::step(const HostInsn& h) {
  const ZydisDecodedOperand &dst = h.ops[0], &src = h.ops[1];
  switch (h.info.mnemonic) {
    case ZYDIS_MNEMONIC_LEA:
      write(dst.reg.value, address(src));
      return true;
    case ZYDIS_MNEMONIC_MOV:
    case ZYDIS_MNEMONIC_MOVZX: {
      uint64_t v = src.type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? src.imm.value.u
                   : src.type == ZYDIS_OPERAND_TYPE_MEMORY  ? load(src)
                                                            : read(src.reg.value);
      if (dst.type == ZYDIS_OPERAND_TYPE_MEMORY) store(dst, v);
      else write(dst.reg.value, v);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace bt86::test
