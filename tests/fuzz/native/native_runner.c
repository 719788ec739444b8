/* The native oracle of the differential fuzzer: a 32-bit Linux process that
 * runs each case on the host CPU. It reads struct fuzz_request records from
 * stdin, maps the code and data at the guest's addresses, loads the initial
 * state and jumps to the code. Every run ends in a signal: the final hlt is
 * a #GP at CPL 3, an exception is its own; the handler takes the registers,
 * EFLAGS, the FXSAVE image and the vector (the kernel's trapno) from the
 * signal frame and writes a struct fuzz_result to stdout. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ucontext.h>
#include <unistd.h>
#include <asm/ldt.h>
#include <sys/syscall.h>

#include "../fuzz_abi.h"

/* Loads the state (the FXSAVE image first: it is 16-byte aligned) and jumps
 * to the case's code; never returns. */
void fuzz_enter(const struct fuzz_state* s);
__asm__(
    ".text\n"
    ".globl fuzz_enter\n"
    "fuzz_enter:\n"
    "  mov 4(%esp), %eax\n"
    "  mov 544(%eax), %edx\n"           /* eip */
    "  mov %edx, fuzz_target\n"
    "  fxrstor (%eax)\n"
    "  pushl 548(%eax)\n"               /* eflags */
    "  popfl\n"
    "  mov 516(%eax), %ecx\n"
    "  mov 520(%eax), %edx\n"
    "  mov 524(%eax), %ebx\n"
    "  mov 532(%eax), %ebp\n"
    "  mov 536(%eax), %esi\n"
    "  mov 540(%eax), %edi\n"
    "  mov 528(%eax), %esp\n"
    "  mov 512(%eax), %eax\n"
    "  jmp *fuzz_target\n");
uint32_t fuzz_target;

/* The same for 16-bit code: DS, ES and SS get the 16-bit data selector
 * (fuzz_data_sel), then a far jump to fuzz_far (IP, code selector). The
 * last loads read through CS, which stays flat until the jump. */
void fuzz_enter16(const struct fuzz_state* s);
__asm__(
    ".text\n"
    ".globl fuzz_enter16\n"
    "fuzz_enter16:\n"
    "  mov 4(%esp), %eax\n"
    "  mov 512(%eax), %edx\n"
    "  mov %edx, fuzz_eax\n"
    "  mov 528(%eax), %edx\n"
    "  mov %edx, fuzz_esp\n"
    "  fxrstor (%eax)\n"
    "  pushl 548(%eax)\n"
    "  popfl\n"
    "  mov 516(%eax), %ecx\n"
    "  mov 524(%eax), %ebx\n"
    "  mov 532(%eax), %ebp\n"
    "  mov 536(%eax), %esi\n"
    "  mov 540(%eax), %edi\n"
    "  mov 520(%eax), %edx\n"
    "  mov fuzz_data_sel, %eax\n"
    "  mov %eax, %es\n"
    "  mov fuzz_stack_sel, %eax\n"
    "  mov %eax, %ss\n"
    "  mov %cs:fuzz_esp, %esp\n"
    "  mov %cs:fuzz_data_sel, %eax\n"
    "  mov %eax, %ds\n"
    "  mov %cs:fuzz_eax, %eax\n"
    "  ljmp *%cs:fuzz_far\n");
uint32_t fuzz_eax, fuzz_esp, fuzz_data_sel, fuzz_stack_sel;
struct __attribute__((packed)) {
  uint32_t ip;
  uint16_t cs;
} fuzz_far;

/* LDT entries: 0 the code (base = the slot, set per run), 1 16-bit data,
 * 2 data with B = 1 (a 32-bit stack); base 0, limit 0xFFFF. */
static int ldt_entry(unsigned n, uint32_t base, int code, int big) {
  struct user_desc d;
  memset(&d, 0, sizeof d);
  d.entry_number = n;
  d.base_addr = base;
  d.limit = 0xFFFF;
  d.seg_32bit = big;
  d.contents = code ? MODIFY_LDT_CONTENTS_CODE : MODIFY_LDT_CONTENTS_DATA;
  d.useable = 1;
  return syscall(SYS_modify_ldt, 1, &d, sizeof d) == 0;
}
#define LDT_SEL(n) ((n) << 3 | 4 | 3)

_Static_assert(__builtin_offsetof(struct fuzz_state, gpr) == 512, "asm offsets");
_Static_assert(__builtin_offsetof(struct fuzz_state, eip) == 544, "asm offsets");
_Static_assert(__builtin_offsetof(struct fuzz_state, eflags) == 548, "asm offsets");

static struct fuzz_request request;
static struct fuzz_result result;
static struct fuzz_state entry_state __attribute__((aligned(16)));
static sigjmp_buf back;

/* Offset of the FXSAVE image in the i386 signal frame's FPU state: it
 * follows the 112-byte FSAVE-format header (struct _fpstate_32). */
enum { kFxsrOffset = 112, kMagicOffset = 110 };

static void on_signal(int sig, siginfo_t* info, void* ctx) {
  (void)info;
  const ucontext_t* uc = ctx;
  const greg_t* g = uc->uc_mcontext.gregs;
  if (sig == SIGALRM) {
    result.vector = FUZZ_TIMEOUT;
    siglongjmp(back, 1);
  }
  result.vector = (uint32_t)g[REG_TRAPNO];
  result.error_code = (uint32_t)g[REG_ERR];
  static const int order[8] = {REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_UESP, REG_EBP, REG_ESI, REG_EDI};
  for (int i = 0; i < 8; ++i) result.state.gpr[i] = (uint32_t)g[order[i]];
  result.state.eip = (uint32_t)g[REG_EIP];
  result.state.eflags = (uint32_t)g[REG_EFL];
  const uint8_t* fp = (const uint8_t*)uc->uc_mcontext.fpregs;
  uint16_t magic;
  memcpy(&magic, fp + kMagicOffset, sizeof magic);
  if (magic != 0) { /* 0xffff: no FXSR data, which no SSE-capable host sends */
    fputs("fuzz_native: the signal frame has no FXSAVE image\n", stderr);
    _exit(3);
  }
  memcpy(result.state.fx, fp + kFxsrOffset, sizeof result.state.fx);
  siglongjmp(back, 1);
}

static int read_all(void* p, size_t n) {
  for (size_t got = 0; got < n;) {
    ssize_t r = read(0, (char*)p + got, n - got);
    if (r <= 0) return 0;
    got += (size_t)r;
  }
  return 1;
}

static void write_all(const void* p, size_t n) {
  for (size_t put = 0; put < n;) {
    ssize_t r = write(1, (const char*)p + put, n - put);
    if (r <= 0) _exit(4);
    put += (size_t)r;
  }
}

static void map_fixed(uint32_t addr, uint32_t size) {
  void* p = mmap((void*)addr, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != (void*)addr) {
    fprintf(stderr, "fuzz_native: cannot map %#x+%#x\n", addr, size);
    exit(2);
  }
}

int main(void) {
  map_fixed(FUZZ_DATA_BASE, FUZZ_DATA_SIZE);
  map_fixed(FUZZ_CODE_BASE, FUZZ_CODE_SLOT * FUZZ_CODE_SLOTS);
  fuzz_data_sel = LDT_SEL(1);
  if (!ldt_entry(1, 0, 0, 0) || !ldt_entry(2, 0, 0, 1)) {
    perror("fuzz_native: modify_ldt");
    return 2;
  }

  /* The signal frame must not land on the guest's stack (the data area). */
  static uint8_t alt[65536];
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
  sigaltstack(&ss, NULL);
  struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER};
  sigemptyset(&sa.sa_mask);
  const int signals[] = {SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP, SIGALRM};
  for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; ++i) sigaction(signals[i], &sa, NULL);

  while (read_all(&request, sizeof request)) {
    uint32_t addr = request.code_addr;
    if (addr < FUZZ_CODE_BASE || request.code_len > FUZZ_CODE_MAX ||
        addr - FUZZ_CODE_BASE > FUZZ_CODE_SLOT * FUZZ_CODE_SLOTS - FUZZ_CODE_MAX) {
      fputs("fuzz_native: bad request\n", stderr);
      return 2;
    }
    memcpy((void*)addr, request.code, request.code_len);
    memcpy((void*)FUZZ_DATA_BASE, request.data, FUZZ_DATA_SIZE);
    memset(&result, 0, sizeof result);
    entry_state = request.state;
    entry_state.eip = addr;
    const int code16 = request.mode != FUZZ_MODE_FLAT32;
    if (code16) {
      const uint32_t slot = addr - (addr - FUZZ_CODE_BASE) % FUZZ_CODE_SLOT;
      if (!ldt_entry(0, slot, 1, 0)) {
        perror("fuzz_native: modify_ldt");
        return 2;
      }
      fuzz_far.ip = addr - slot;
      fuzz_far.cs = LDT_SEL(0);
      fuzz_stack_sel = request.mode == FUZZ_MODE_PM16_SS32 ? LDT_SEL(2) : LDT_SEL(1);
    }
    if (sigsetjmp(back, 1) == 0) {
      alarm(5);
      if (code16) fuzz_enter16(&entry_state);
      else fuzz_enter(&entry_state);
    }
    alarm(0);
    memcpy(result.data, (void*)FUZZ_DATA_BASE, FUZZ_DATA_SIZE);
    write_all(&result, sizeof result);
  }
  return 0;
}
