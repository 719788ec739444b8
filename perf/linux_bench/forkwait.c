/* forkwait: fork a child that exits at once and wait for it, N times (the
 * process-creation microbenchmark of Adams and Agesen's VMware paper). It
 * stresses page-table copying, copy-on-write faults and address-space
 * switches: the worst case for shadow paging. */
#include <sys/wait.h>
#include <unistd.h>

#include "bench_clock.h"

int main(int argc, char **argv)
{
    long n = bench_iterations(argc, argv, 2000);
    long long start = bench_now_ns();
    for (long i = 0; i < n; ++i) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0)
            _exit(0);
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
            fprintf(stderr, "forkwait: child %d did not exit cleanly\n", (int)pid);
            return 1;
        }
    }
    bench_report("forkwait", n, bench_now_ns() - start);
    return 0;
}
