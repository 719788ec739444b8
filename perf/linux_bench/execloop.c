/* execloop: run a program N times, each in a fresh process (fork, exec,
 * wait), as a shell loop running /bin/true does: exec's loading, the new
 * address space's page faults and the exit's teardown.
 *     execloop N PROGRAM [ARGS...]
 * The benchmark runs the same static busybox's `true` inside the guest and
 * natively. */
#include <sys/wait.h>
#include <unistd.h>

#include "bench_clock.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: execloop N PROGRAM [ARGS...]\n");
        return 2;
    }
    long n = bench_iterations(argc, argv, 200);
    long long start = bench_now_ns();
    for (long i = 0; i < n; ++i) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            execv(argv[2], argv + 2);
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "execloop: %s did not exit with status 0\n", argv[2]);
            return 1;
        }
    }
    bench_report("exec", n, bench_now_ns() - start);
    return 0;
}
