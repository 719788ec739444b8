/* syscall_loop: N getppid system calls (issued with the syscall(2) wrapper,
 * so libc cannot cache the answer): the round trip into the guest kernel
 * and back, through the entry libc picks (the vDSO's sysenter when the
 * kernel offers it, else int 0x80). */
#include <sys/syscall.h>
#include <unistd.h>

#include "bench_clock.h"

int main(int argc, char **argv)
{
    long n = bench_iterations(argc, argv, 1000000);
    long sum = 0;
    long long start = bench_now_ns();
    for (long i = 0; i < n; ++i)
        sum += syscall(SYS_getppid);
    long long ns = bench_now_ns() - start;
    if (sum != n * (long)getppid()) {
        fprintf(stderr, "syscall_loop: getppid answered inconsistently\n");
        return 1;
    }
    bench_report("syscall", n, ns);
    return 0;
}
