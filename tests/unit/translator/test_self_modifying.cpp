// Self-modifying code, end to end through the BT backend (design.md §3: "a
// write invalidates that page's blocks and their chains"). A tiny guest
// calls a function, patches the function's immediate and calls it again;
// the second call must see the new code. The guest reports EAX through
// isa-debug-exit, so the exit status says which code ran.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "bt86/host/machine.h"
#include "bt86/bt/bt_cpu.h"

using namespace bt86;

namespace {

constexpr uint32_t kMain = 0x00100000;
constexpr uint32_t kFunc = 0x00101000;  // on a page of its own
constexpr uint32_t kStack = 0x00090000;

// main:   mov ecx, 2
// again:  call func
//         <patch>                ; rewrites func's "mov eax, imm32" to 7
//         dec ecx
//         jnz again
//         out 0xf4, al           ; exit status (eax << 1) | 1
//         hlt
// func:   mov eax, 1
//         ret
std::vector<uint8_t> main_code(const std::vector<uint8_t>& patch) {
  std::vector<uint8_t> code = {0xB9, 0x02, 0x00, 0x00, 0x00};
  const size_t again = code.size();
  const uint32_t rel = kFunc - (kMain + static_cast<uint32_t>(again) + 5);
  code.push_back(0xE8);
  for (unsigned i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(rel >> 8 * i));
  code.insert(code.end(), patch.begin(), patch.end());
  code.push_back(0x49);  // dec ecx
  code.push_back(0x75);  // jnz again
  code.push_back(static_cast<uint8_t>(again - (code.size() + 1)));
  code.insert(code.end(), {0xE6, 0xF4, 0xF4});
  return code;
}

struct Guest {
  Machine machine{MachineConfig{16u << 20, [](uint8_t) {}}};

  RunOutcome run(const std::vector<uint8_t>& patch) {
    std::vector<uint8_t> code = main_code(patch);
    const uint8_t func[] = {0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3};
    std::memcpy(machine.ram.host(kMain), code.data(), code.size());
    std::memcpy(machine.ram.host(kFunc), func, sizeof func);
    CpuState& cpu = machine.cpu;
    cpu.cr0 = cr0::kPE | cr0::kET;
    load_flat(cpu.seg[kCs], 0x08, true);
    for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) load_flat(cpu.seg[s], 0x10, false);
    cpu.gpr[kEsp] = kStack;
    cpu.eip = kMain;
    BtCpu vcpu({cpu, machine.ram, machine.io, machine.mmio, machine.control});
    return vcpu.run(10.0);
  }
};

}  // namespace

TEST_CASE_METHOD(Guest, "smc: the harness itself: an unpatched function returns 1", "[smc]") {
  // A patch that writes elsewhere: the function keeps returning 1.
  const std::vector<uint8_t> harmless = {0xC6, 0x05, 0x00, 0x00, 0x08, 0x00, 0x07};  // mov byte [0x80000], 7
  RunOutcome out = run(harmless);
  INFO(out.message);
  CHECK(out.exit_status == ((1 << 1) | 1));
}

TEST_CASE_METHOD(Guest, "smc: a guest store into translated code retranslates it", "[smc]") {
  // mov byte [kFunc + 1], 7: the immediate of func's "mov eax, 1".
  const std::vector<uint8_t> patch = {0xC6, 0x05, 0x01, 0x10, 0x10, 0x00, 0x07};
  RunOutcome out = run(patch);
  INFO(out.message);
  CHECK(out.exit_status == ((7 << 1) | 1));  // 3 would mean the stale "mov eax, 1" ran
}
