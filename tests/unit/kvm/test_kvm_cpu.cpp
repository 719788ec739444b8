// host/kvm/kvm_cpu: the KVM backend runs tiny guests on the same Machine
// as the BT backend and must end them the same way: port I/O (string forms
// element by element), MMIO in the VGA hole, isa-debug-exit, halt, timeout,
// triple fault; and CPUID must say what the BT backend says. Each test is
// skipped, with the reason printed, where KVM cannot run 32-bit protected
// mode (no /dev/kvm, or a KVM that lacks it).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bt86/host/machine.h"
#include "bt86/kvm/kvm_cpu.h"
#include "bt86/kvm/kvm_gate.h"
#include "bt86/kvm/kvm_probe.h"
#include "skip.h"
#include "bt86/bt/bt_cpu.h"

using namespace bt86;

namespace {
constexpr uint32_t kCode = 0x1000;

// The probe runs once per test executable.
const KvmCapabilities& capabilities() {
  static const KvmCapabilities caps = probe_kvm();
  return caps;
}

// Skips the test (see skip.h) unless this KVM works for every probe named.
#define SKIP_UNLESS_KVM_RUNS(...)                                            \
  do {                                                                       \
    const std::string_view needs[] = {__VA_ARGS__};                          \
    if (std::string why = kvm_skip_reason(capabilities(), needs); !why.empty()) { \
      report_skip(why);                                                      \
      return;                                                                \
    }                                                                        \
  } while (0)
#define SKIP_WITHOUT_KVM() SKIP_UNLESS_KVM_RUNS("protected-32")

// A 4 MiB machine in flat 32-bit protected mode (what the Multiboot loader
// leaves), with `code` at kCode and COM1 output kept.
struct TinyGuest {
  explicit TinyGuest(std::span<const uint8_t> code)
      : machine(MachineConfig{4u << 20, [this](uint8_t b) { serial += static_cast<char>(b); }}) {
    CpuState& c = machine.cpu;
    const uint64_t gdt[3] = {0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull};
    std::memcpy(machine.ram.host(0x800), gdt, sizeof gdt);
    c.gdtr = {0x800, sizeof gdt - 1};
    std::memcpy(machine.ram.host(kCode), code.data(), code.size());
    c.eip = kCode;
    c.gpr[kEsp] = 0x7000;
    c.cr0 = cr0::kPE | cr0::kET;
    load_flat(c.seg[kCs], 0x08, true);
    for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) load_flat(c.seg[s], 0x10, false);
  }
  GuestContext context() { return {machine.cpu, machine.ram, machine.io, machine.mmio, machine.control}; }
  uint32_t word(uint32_t gpa) const {
    uint32_t v;
    std::memcpy(&v, machine.ram.host(gpa), 4);
    return v;
  }

  std::string serial;
  Machine machine;
};

template <class Cpu>
RunOutcome run_on(TinyGuest& g, double timeout = 10) {
  Cpu cpu(g.context());
  return cpu.run(timeout);
}

// Records every access; reads answer a counter so their order shows.
class Recorder final : public Device {
public:
  std::string_view name() const override { return "recorder"; }
  uint32_t read(uint64_t offset, unsigned size) override {
    log.push_back({false, offset, size, 0});
    uint32_t value = 0x1111u * ++reads;
    return size == 4 ? value : value & ((1u << 8 * size) - 1);
  }
  void write(uint64_t offset, unsigned size, uint32_t value) override { log.push_back({true, offset, size, value}); }
  struct Access {
    bool write;
    uint64_t offset;
    unsigned size;
    uint32_t value;
    bool operator==(const Access&) const = default;
  };
  std::vector<Access> log;
  uint32_t reads = 0;
};

const uint8_t kCpuidLoop[] = {
    0xBE, 0x00, 0x20, 0x00, 0x00,  // mov esi, 0x2000   (leaf numbers, ended by -1)
    0xBF, 0x00, 0x30, 0x00, 0x00,  // mov edi, 0x3000   (eax ebx ecx edx per leaf)
    0xAD,                          // next: lodsd
    0x83, 0xF8, 0xFF,              // cmp eax, -1
    0x74, 0x10,                    // je done
    0x31, 0xC9,                    // xor ecx, ecx
    0x0F, 0xA2,                    // cpuid
    0xAB,                          // stosd
    0x89, 0xD8, 0xAB,              // mov eax, ebx; stosd
    0x89, 0xC8, 0xAB,              // mov eax, ecx; stosd
    0x89, 0xD0, 0xAB,              // mov eax, edx; stosd
    0xEB, 0xEA,                    // jmp next
    0xF4,                          // done: hlt
};
}  // namespace

TEST_CASE("kvm_cpu: CPUID says what the BT backend says (skipped where KVM cannot run it)", "[kvm]") {
  SKIP_UNLESS_KVM_RUNS("protected-32", "cpuid");
  const uint32_t leaves[] = {0, 1, 0x80000000, 0x80000002, 0x80000003, 0x80000004, 0xFFFFFFFF};
  std::vector<uint32_t> results[2];
  for (int backend = 0; backend < 2; ++backend) {
    TinyGuest g(kCpuidLoop);
    std::memcpy(g.machine.ram.host(0x2000), leaves, sizeof leaves);
    RunOutcome out = backend ? run_on<KvmCpu>(g) : run_on<BtCpu>(g);
    INFO(out.message);
    REQUIRE(out.exit_status == exit_status::kHalted);
    for (unsigned i = 0; i < 4 * (std::size(leaves) - 1); ++i) results[backend].push_back(g.word(0x3000 + 4 * i));
  }
  for (size_t i = 0; i < results[0].size(); ++i) {
    INFO("leaf " << std::hex << leaves[i / 4] << " register " << "abcd"[i % 4]);
    CHECK(results[1][i] == results[0][i]);
  }
}

TEST_CASE("kvm_cpu: rep outsb and rep insw reach the bus element by element (skipped where KVM cannot run it)", "[kvm]") {
  SKIP_WITHOUT_KVM();
  const uint8_t code[] = {
      0xFC,                          // cld
      0xBE, 0x00, 0x20, 0x00, 0x00,  // mov esi, 0x2000
      0xB9, 0x05, 0x00, 0x00, 0x00,  // mov ecx, 5
      0x66, 0xBA, 0x00, 0x05,        // mov dx, 0x500
      0xF3, 0x6E,                    // rep outsb
      0xBF, 0x00, 0x30, 0x00, 0x00,  // mov edi, 0x3000
      0xB9, 0x03, 0x00, 0x00, 0x00,  // mov ecx, 3
      0x66, 0xBA, 0x02, 0x05,        // mov dx, 0x502
      0xF3, 0x66, 0x6D,              // rep insw
      0xF4,                          // hlt
  };
  std::vector<Recorder::Access> logs[2];
  for (int backend = 0; backend < 2; ++backend) {
    TinyGuest g(code);
    Recorder dev;
    g.machine.io.map(0x500, 4, dev);
    std::memcpy(g.machine.ram.host(0x2000), "hello", 5);
    RunOutcome out = backend ? run_on<KvmCpu>(g) : run_on<BtCpu>(g);
    INFO((backend ? "kvm: " : "bt: ") << out.message);
    REQUIRE(out.exit_status == exit_status::kHalted);
    REQUIRE(dev.log.size() == 8);
    for (unsigned i = 0; i < 5; ++i) CHECK(dev.log[i] == Recorder::Access{true, 0, 1, static_cast<uint8_t>("hello"[i])});
    for (unsigned i = 0; i < 3; ++i) CHECK(dev.log[5 + i] == Recorder::Access{false, 2, 2, 0});
    CHECK(g.word(0x3000) == 0x22221111);
    CHECK((g.word(0x3004) & 0xFFFF) == 0x3333);
    CHECK(g.machine.cpu.gpr[kEcx] == 0);
    CHECK(g.machine.cpu.gpr[kEsi] == 0x2005);
    CHECK(g.machine.cpu.gpr[kEdi] == 0x3006);
    logs[backend] = dev.log;
  }
  CHECK(logs[0] == logs[1]);
}

TEST_CASE("kvm_cpu: the VGA hole is MMIO on the machine's bus (skipped where KVM cannot run it)", "[kvm]") {
  SKIP_WITHOUT_KVM();
  const uint8_t code[] = {
      0xC7, 0x05, 0x00, 0x00, 0x0A, 0x00, 0x78, 0x56, 0x34, 0x12,  // mov dword [0xA0000], 0x12345678
      0xA1, 0x04, 0x00, 0x0A, 0x00,                                // mov eax, [0xA0004]
      0xA3, 0x00, 0x30, 0x00, 0x00,                                // mov [0x3000], eax
      0x0F, 0xB6, 0x05, 0x08, 0x00, 0x0A, 0x00,                    // movzx eax, byte [0xA0008]
      0xA3, 0x04, 0x30, 0x00, 0x00,                                // mov [0x3004], eax
      0xF4,                                                        // hlt
  };
  std::vector<Recorder::Access> logs[2];
  for (int backend = 0; backend < 2; ++backend) {
    TinyGuest g(code);
    Recorder dev;
    g.machine.mmio.map(0xA0000, 0x20000, dev);
    RunOutcome out = backend ? run_on<KvmCpu>(g) : run_on<BtCpu>(g);
    INFO((backend ? "kvm: " : "bt: ") << out.message);
    REQUIRE(out.exit_status == exit_status::kHalted);
    REQUIRE(dev.log.size() == 3);
    CHECK(dev.log[0] == Recorder::Access{true, 0, 4, 0x12345678});
    CHECK(dev.log[1] == Recorder::Access{false, 4, 4, 0});
    CHECK(dev.log[2] == Recorder::Access{false, 8, 1, 0});
    CHECK(g.word(0x3000) == 0x1111);
    CHECK(g.word(0x3004) == 0x22);  // low byte of 0x2222
    logs[backend] = dev.log;
  }
  CHECK(logs[0] == logs[1]);
}

TEST_CASE("kvm_cpu: isa-debug-exit ends the run with its status, after the out (skipped where KVM cannot run it)", "[kvm]") {
  SKIP_WITHOUT_KVM();
  const uint8_t code[] = {0xB0, 0x03, 0xE6, 0xF4, 0xF4};  // mov al, 3; out 0xF4, al; hlt
  for (int backend = 0; backend < 2; ++backend) {
    TinyGuest g(code);
    RunOutcome out = backend ? run_on<KvmCpu>(g) : run_on<BtCpu>(g);
    INFO((backend ? "kvm: " : "bt: ") << out.message);
    CHECK(out.exit_status == 7);
    CHECK(g.machine.cpu.eip == kCode + 4);
  }
}

TEST_CASE("kvm_cpu: hlt with interrupts off ends the run with status 0 (skipped where KVM cannot run it)", "[kvm]") {
  SKIP_WITHOUT_KVM();
  const uint8_t code[] = {0x90, 0xF4};  // nop; hlt
  TinyGuest g(code);
  RunOutcome out = run_on<KvmCpu>(g);
  CHECK(out.exit_status == exit_status::kHalted);
  CHECK(out.message == "guest halted with interrupts disabled at EIP=0x00001002");
  CHECK(g.machine.cpu.halted);
}

TEST_CASE("kvm_cpu: --timeout kicks the vCPU out of a guest loop (skipped where KVM cannot run it)", "[kvm]") {
  SKIP_WITHOUT_KVM();
  const uint8_t code[] = {0xEB, 0xFE};  // jmp $
  TinyGuest g(code);
  KvmCpu cpu(g.context());
  RunOutcome out = cpu.run(0.3);
  CHECK(out.exit_status == exit_status::kTimeout);
  CHECK(out.message == "timeout after 0.3 s");
  CHECK(g.machine.cpu.eip == kCode);
  // The vCPU stays usable: a second run times out again rather than at once.
  auto start = std::chrono::steady_clock::now();
  CHECK(cpu.run(0.2).exit_status == exit_status::kTimeout);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(150));
}

TEST_CASE("kvm_cpu: a triple fault is reported with the instruction and state (skipped where KVM cannot run it)", "[kvm]") {
  SKIP_WITHOUT_KVM();
  const uint8_t code[] = {0x90, 0x0F, 0x0B};  // nop; ud2 (no IDT: #UD, #DF, shutdown)
  TinyGuest g(code);
  RunOutcome out = run_on<KvmCpu>(g);
  INFO(out.message);
  CHECK(out.exit_status == exit_status::kGuestDied);
  CHECK(out.message.find("triple fault") != std::string::npos);
  CHECK(out.message.find("guest state:") != std::string::npos);
}

TEST_CASE("kvm_cpu: interrupt() stops a guest loop for a debugger, which can resume it (skipped where KVM cannot run it)",
          "[kvm]") {
  SKIP_WITHOUT_KVM();
  const uint8_t code[] = {0x40, 0xEB, 0xFD};  // inc eax; jmp back
  TinyGuest g(code);
  KvmCpu cpu(g.context());
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cpu.interrupt();
  });
  RunOutcome out = cpu.run(10.0);
  stopper.join();
  REQUIRE(out.exit_status == exit_status::kDebugStop);
  CHECK(out.debug_stop.reason == DebugStop::Reason::kInterrupted);
  CHECK((g.machine.cpu.eip == kCode || g.machine.cpu.eip == kCode + 1));
  const uint32_t counted = g.machine.cpu.gpr[kEax];
  CHECK(counted > 0);
  out = cpu.run(0.2);  // it goes on from there
  CHECK(out.exit_status == exit_status::kTimeout);
  CHECK(g.machine.cpu.gpr[kEax] > counted);
}
