# Sourced by the gdb tests (gdb_session.sh, gdb_realmode.sh): skips (77)
# without gdb, makes $dir (removed at exit, with the bt86 in $pid killed),
# fail MESSAGE (prints gdb's and bt86's output, exits 1), and
# start_bt86 ARGS...: runs "$bt86 run ARGS... --gdb tcp::0 -S --timeout 60"
# in the background and sets $port to where its stub listens.
# The caller sets $bt86 and $test (its name, for messages) first.
command -v gdb >/dev/null || { echo "SKIPPED: gdb is not installed (Debian package gdb)"; exit 77; }
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
fail() {
  echo "$test: $*" >&2
  echo "--- gdb:"; cat "$dir/gdb" 2>/dev/null
  echo "--- bt86:"; cat "$dir/out" "$dir/err" 2>/dev/null
  exit 1
}

start_bt86() {
  "$bt86" run "$@" --gdb tcp::0 -S --timeout 60 >"$dir/out" 2>"$dir/err" &
  pid=$!
  port=
  for _ in $(seq 100); do
    port=$(grep -o 'listening on tcp::[0-9]*' "$dir/err" | grep -o '[0-9]*$')
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "bt86 did not say where it listens"
}
