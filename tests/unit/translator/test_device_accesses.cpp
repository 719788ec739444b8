// Device semantics through the BT backend: an instruction whose operand is
// a device (mapped on the machine's MMIO bus) must reach it with exactly
// the accesses the instruction makes, each once, in order, with its size
// and value, whatever its form (ident or expanded, implicit stack, string,
// page- or device-crossing); addresses nobody claims read as all ones and
// drop writes. A tiny guest (assembled with AsmJit for 32-bit x86) runs the
// instruction between a set-up and isa-debug-exit.
#include <catch2/catch.hpp>

#include <asmjit/x86.h>

#include <cstring>
#include <functional>
#include <vector>

#include "asm_guest.h"

using namespace bt86;
namespace ax = asmjit::x86;

namespace {

constexpr uint32_t kCode = test::AsmGuest::kCode;
constexpr uint32_t kStack = test::AsmGuest::kStack;
constexpr uint32_t kData = test::AsmGuest::kData;  // RAM
constexpr uint32_t kDevice = 0xE0000000;    // 8 KiB: two pages
constexpr uint32_t kDeviceSize = 0x2000;
constexpr uint32_t kOpenBus = 0xD0000000;   // nobody

// Memory that logs every access: it starts out holding byte o at offset o
// (so a value read shows where and how wide it was read) and keeps what is
// written.
class LoggingDevice final : public Device {
public:
  struct Access {
    bool write;
    uint64_t offset;
    unsigned size;
    uint32_t value;
    bool operator==(const Access&) const = default;
  };
  LoggingDevice() {
    for (size_t i = 0; i < sizeof bytes_; ++i) bytes_[i] = static_cast<uint8_t>(i);
  }
  std::string_view name() const override { return "logger"; }
  uint32_t read(uint64_t offset, unsigned size) override {
    uint32_t v = 0;
    std::memcpy(&v, bytes_ + offset, size);
    log.push_back({false, offset, size, v});
    return v;
  }
  void write(uint64_t offset, unsigned size, uint32_t value) override {
    std::memcpy(bytes_ + offset, &value, size);
    log.push_back({true, offset, size, value});
  }
  std::vector<Access> log;

private:
  uint8_t bytes_[0x2000];
};

using Access = LoggingDevice::Access;
// A read of what the device held from the start (byte o at offset o).
Access rd(uint64_t offset, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= static_cast<uint32_t>((offset + i) & 0xFF) << (8 * i);
  return {false, offset, size, v};
}
Access rd(uint64_t offset, unsigned size, uint32_t value) { return {false, offset, size, value}; }
Access wr(uint64_t offset, unsigned size, uint32_t value) { return {true, offset, size, value}; }

struct Guest : test::AsmGuest {
  LoggingDevice device;
  Guest() { machine.mmio.map(kDevice, kDeviceSize, device); }

  // Runs body, then `mov eax, 0; out 0xF4, al`; returns the final CPU state.
  const CpuState& run(const std::function<void(ax::Assembler&)>& body) {
    load([&](ax::Assembler& a) {
      body(a);
      exit_ok(a);
      a.hlt();
    });
    BtCpu vcpu(context());
    RunOutcome out = vcpu.run(10.0);
    INFO(out.message);
    REQUIRE(out.exit_status == 1);
    return machine.cpu;
  }
};

ax::Mem dword_at(uint32_t addr) { return ax::dword_ptr(static_cast<uint64_t>(addr)); }

}  // namespace

TEST_CASE_METHOD(Guest, "device: push [m] and pop [m] read or write the device once", "[device]") {
  run([](ax::Assembler& a) {
    a.push(dword_at(kDevice + 0x10));
    a.pop(ax::ecx);
    a.push(asmjit::imm(0x11223344));
    a.pop(dword_at(kDevice + 0x20));
  });
  CHECK(machine.cpu.gpr[kEcx] == 0x13121110);
  CHECK(device.log == std::vector<Access>{rd(0x10, 4), wr(0x20, 4, 0x11223344)});
}

TEST_CASE_METHOD(Guest, "device: a stack on the device: push, call, ret, pop, pushad, popad", "[device]") {
  run([](ax::Assembler& a) {
    asmjit::Label sub = a.newLabel(), done = a.newLabel();
    a.mov(ax::esp, kDevice + 0x100);
    a.push(asmjit::imm(0x55667788));  // at 0xFC
    a.call(sub);                   // the return address at 0xF8
    a.pop(ax::eax);
    a.mov(ax::edi, 0xD1D2D3D4);
    a.pushad();                    // 0xE0-0xFF
    a.mov(ax::edi, 0);
    a.popad();
    a.mov(ax::esp, kStack);
    a.jmp(done);
    a.bind(sub);
    a.ret();
    a.bind(done);
  });
  const CpuState& cpu = machine.cpu;
  CHECK(cpu.gpr[kEdi] == 0xD1D2D3D4);  // popad (EAX, popped too, is the exit code after)
  REQUIRE(device.log.size() == 4 + 8 + 8);
  CHECK(device.log[0] == wr(0xFC, 4, 0x55667788));
  CHECK(device.log[1].write);
  CHECK(device.log[1].offset == 0xF8);
  CHECK(device.log[2] == rd(0xF8, 4, device.log[1].value));  // ret
  CHECK(device.log[3] == rd(0xFC, 4, 0x55667788));           // pop eax
  const uint32_t pushed[8] = {0xD1D2D3D4, cpu.gpr[kEsi], cpu.gpr[kEbp], kDevice + 0x100,
                              cpu.gpr[kEbx], cpu.gpr[kEdx], cpu.gpr[kEcx], 0x55667788};
  for (unsigned i = 0; i < 8; ++i) {
    INFO("slot " << i);
    CHECK(device.log[4 + i] == wr(0xE0 + 4 * i, 4, pushed[i]));
    CHECK(device.log[12 + i] == rd(0xE0 + 4 * i, 4, pushed[i]));
  }
}

TEST_CASE_METHOD(Guest, "device: a read-modify-write reads once and writes once", "[device]") {
  run([](ax::Assembler& a) { a.add(dword_at(kDevice + 0x30), 0x01000000); });
  CHECK(device.log == std::vector<Access>{rd(0x30, 4), wr(0x30, 4, 0x33323130 + 0x01000000)});
}

TEST_CASE_METHOD(Guest, "device: string instructions access it element by element", "[device]") {
  run([](ax::Assembler& a) {
    a.mov(ax::esi, kDevice + 0x40);
    a.mov(ax::edi, kDevice + 0x80);
    a.mov(ax::ecx, 2);
    a.rep().movsw();
    a.mov(ax::esi, kDevice + 0x40);
    a.mov(ax::edi, kDevice + 0x48);
    a.cmpsd();
    a.mov(ax::edi, kDevice + 0x50);
    a.mov(ax::eax, 0x53);
    a.mov(ax::ecx, 16);
    a.repne().scasb();
  });
  CHECK(device.log == std::vector<Access>{rd(0x40, 2), wr(0x80, 2, 0x4140), rd(0x42, 2), wr(0x82, 2, 0x4342),
                                          rd(0x40, 4), rd(0x48, 4), rd(0x50, 1), rd(0x51, 1), rd(0x52, 1),
                                          rd(0x53, 1)});
  CHECK(machine.cpu.gpr[kEcx] == 12);
}

TEST_CASE_METHOD(Guest, "device: an access across its end reaches it only for its own bytes", "[device]") {
  run([](ax::Assembler& a) {
    a.mov(ax::ecx, dword_at(kDevice + kDeviceSize - 2));
    a.mov(ax::eax, 0xA1B2C3D4);
    a.mov(dword_at(kDevice + kDeviceSize - 2), ax::eax);
  });
  CHECK(machine.cpu.gpr[kEcx] == 0xFFFFFFFE);  // FE FF from the device, FF FF from nobody
  CHECK(device.log == std::vector<Access>{rd(kDeviceSize - 2, 2), wr(kDeviceSize - 2, 2, 0xC3D4)});
}

TEST_CASE_METHOD(Guest, "device: wide operands reach it in dwords, in order", "[device]") {
  run([](ax::Assembler& a) {
    a.fild(ax::qword_ptr(static_cast<uint64_t>(kDevice + 0x108)));
    a.fxsave(ax::ptr(static_cast<uint64_t>(kDevice + 0x400)));
  });
  REQUIRE(device.log.size() == 2 + 128);
  CHECK(device.log[0] == rd(0x108, 4));
  CHECK(device.log[1] == rd(0x10C, 4));
  for (unsigned i = 0; i < 128; ++i) {
    INFO("dword " << i);
    CHECK(device.log[2 + i].write);
    CHECK(device.log[2 + i].offset == 0x400 + 4 * i);
    CHECK(device.log[2 + i].size == 4);
  }
  // The image's first word is the x87 control word (FNINIT's 0x037F).
  CHECK((device.log[2].value & 0xFFFF) == 0x037F);
}

TEST_CASE_METHOD(Guest, "device: open bus reads all ones and drops writes, in every form", "[device]") {
  run([](ax::Assembler& a) {
    a.mov(ax::ebx, dword_at(kOpenBus));
    a.push(asmjit::imm(0x12345678));
    a.pop(dword_at(kOpenBus + 4));
    a.mov(ax::esi, kOpenBus);
    a.mov(ax::edi, kData);
    a.movsd();
    a.mov(ax::esp, kOpenBus + 0x100);
    a.push(asmjit::imm(0x87654321));
    a.pop(ax::edx);
    a.mov(ax::esp, kStack);
  });
  CHECK(machine.cpu.gpr[kEbx] == 0xFFFFFFFF);
  CHECK(machine.cpu.gpr[kEdx] == 0xFFFFFFFF);
  CHECK(ram32(kData) == 0xFFFFFFFF);
  CHECK(device.log.empty());
  CHECK(machine.mmio.unclaimed_accesses() == 5);
}
