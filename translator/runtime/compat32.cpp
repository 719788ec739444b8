#include "runtime/compat32.h"

#include <pthread.h>
#include <signal.h>

#include <asmjit/x86.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;

namespace {
// Linux x86-64's flat user code selectors: 32-bit (compat) and 64-bit.
constexpr uint16_t kUser32Cs = 0x23, kUser64Cs = 0x33;
constexpr size_t kPageSize = 4096, kSnippet = 0x800, kSavedRsp = 0xF00;
constexpr size_t kMaxInsn = 8;
}  // namespace

Compat32::Compat32() {
  // Compatibility-mode code and its far-jump return target must sit below
  // 2 GiB (far pointers and sign-extended immediates are 32-bit).
  void* p = mmap(nullptr, kPageSize, PROT_READ | PROT_WRITE | PROT_EXEC,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "map compat32 page");
  page_ = static_cast<uint8_t*>(p);
  auto low = reinterpret_cast<uint64_t>(page_);

  CodeHolder code;
  code.init(Environment::host(), low);
  Assembler a(&code);
  Label back = a.newLabel();
  // uint64_t entry(uint64_t eax /*rdi*/, uint64_t rflags /*rsi*/)
  for (const Gp& r : {rbx, rbp, r12, r13, r14, r15}) a.push(r);
  a.mov(r11, imm(low + kSavedRsp));
  a.mov(qword_ptr(r11), rsp);
  a.mov(eax, edi);
  a.push(rsi);
  a.popfq();
  a.push(imm(kUser32Cs));
  a.push(imm(static_cast<int32_t>(low + kSnippet)));
  const uint8_t lretq[] = {0x48, 0xCB};  // far return to CS:EIP popped above
  a.embed(lretq, sizeof lretq);
  a.bind(back);  // reached by the snippet's far jump, in 64-bit mode again
  a.mov(r11d, imm(static_cast<uint32_t>(low + kSavedRsp)));
  a.mov(rsp, qword_ptr(r11));
  a.pushfq();
  a.pop(rdx);
  a.shl(rdx, 32);
  a.mov(eax, eax);
  a.or_(rax, rdx);
  for (const Gp& r : {r15, r14, r13, r12, rbp, rbx}) a.pop(r);
  a.ret();
  code.flatten();
  if (code.codeSize() > kSnippet) throw std::logic_error("compat32 stub too large");
  code.copyFlattenedData(page_, code.codeSize());
  entry_ = reinterpret_cast<EntryFn>(page_);

  // The snippet's tail: jmp far 0x33:back (EA ptr16:32), after the instruction slot.
  auto back_addr = static_cast<uint32_t>(low + code.labelOffsetFromBase(back));
  uint8_t* tail = page_ + kSnippet + kMaxInsn;
  tail[0] = 0xEA;
  std::memcpy(tail + 1, &back_addr, 4);
  std::memcpy(tail + 5, &kUser64Cs, 2);
}

Compat32::~Compat32() { munmap(page_, kPageSize); }

Compat32::Result Compat32::run(std::span<const uint8_t> insn, uint32_t eax, uint32_t eflags) {
  if (insn.size() > kMaxInsn) throw std::logic_error("compat32: instruction too long");
  // Pad with nops up to the fixed far jump.
  std::memset(page_ + kSnippet, 0x90, kMaxInsn);
  std::memcpy(page_ + kSnippet, insn.data(), insn.size());
  // No asynchronous signal (the waker's timer) may arrive in compatibility
  // mode: returning from a 64-bit handler does not bring this snippet back
  // intact (bt86 crashed with RIP 0). Faults stay deliverable.
  sigset_t async, old;
  sigfillset(&async);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP}) sigdelset(&async, sig);
  pthread_sigmask(SIG_BLOCK, &async, &old);
  uint64_t out = entry_(eax, (eflags & 0x8D5) | 0x2);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return {static_cast<uint32_t>(out), static_cast<uint32_t>(out >> 32)};
}

}  // namespace bt86
