# Reads kvm-unit-tests' x86/unittests.cfg and prints one tab-separated line
# per test: name, file, smp, test_args, qemu_params, arch, groups, accel,
# timeout (empty fields as "-"; values lose their outer quotes). With
# -v names=1: only the names of the default group's tests an i386 build
# runs (no arch, or i386; not in group nodefault), as run_tests.sh picks them.
function flush() {
  if (name != "" && names) {
    if ((arch == "" || arch == "i386") && groups !~ /(^| )nodefault( |$)/) print name
  } else if (name != "")
    print name "\t" f(file) "\t" (smp == "" ? 1 : smp) "\t" f(args) "\t" f(params) "\t" f(arch) "\t" f(groups) "\t" f(accel) "\t" f(timeout)
  name = file = smp = args = params = arch = groups = accel = timeout = ""
}
function f(v) { return v == "" ? "-" : v }
function value(line) {
  sub(/^[^=]*= */, "", line)
  sub(/ *$/, "", line)
  if (line ~ /^'.*'$/ || line ~ /^".*"$/) line = substr(line, 2, length(line) - 2)
  return line
}
/^\[.*\]$/ { flush(); name = substr($0, 2, length($0) - 2); next }
/^#/ { next }
/^file *=/ { file = value($0) }
/^smp *=/ { smp = value($0) }
/^test_args *=/ { args = value($0) }
/^qemu_params *=/ { params = value($0) }
/^arch *=/ { arch = value($0) }
/^groups *=/ { groups = value($0) }
/^accel *=/ { accel = value($0) }
/^timeout *=/ { timeout = value($0) }
END { flush() }
