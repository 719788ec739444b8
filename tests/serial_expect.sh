# serial_expect.sh (sourced): drives a guest's serial console the way a user
# at a terminal would, for tests and benchmarks. The guest's emulator (bt86
# or QEMU with -serial stdio) reads COM1's input from a FIFO this shell
# keeps open and writes its output to a log file, which guest_wait polls.
#   guest_start LOG CMD...   starts CMD in the background
#   guest_wait REGEX SECS    waits until the output (CRs removed) matches
#                            an extended regex; fails if CMD ends first or
#                            SECS pass
#   guest_send LINE          types LINE and Enter
#   guest_finish SECS        closes the input, waits up to SECS for CMD to
#                            end and returns its exit status (124 if it did not)

guest_start() {
  GUEST_LOG=$1
  shift
  GUEST_FIFO=$(mktemp -u "${TMPDIR:-/tmp}/bt86-serial.XXXXXX")
  mkfifo "$GUEST_FIFO" || return 1
  : >"$GUEST_LOG"
  "$@" <"$GUEST_FIFO" >"$GUEST_LOG" 2>&1 &
  GUEST_PID=$!
  # (Opening the writer end lets CMD's open of the reader end return.)
  exec {GUEST_IN}>"$GUEST_FIFO"
  rm -f "$GUEST_FIFO"
}

guest_wait() {
  local pattern=$1 deadline=$((SECONDS + $2))
  while ! tr -d '\r' <"$GUEST_LOG" | grep -Eq -- "$pattern"; do
    if ! kill -0 "$GUEST_PID" 2>/dev/null; then
      # It may have printed the match just before it ended.
      tr -d '\r' <"$GUEST_LOG" | grep -Eq -- "$pattern" && return 0
      echo "serial_expect: the guest ended before /$pattern/" >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "serial_expect: no /$pattern/ within $2 s" >&2
      return 1
    fi
    sleep 0.05
  done
}

guest_send() {
  printf '%s\n' "$1" >&"$GUEST_IN"
}

guest_finish() {
  local deadline=$((SECONDS + $1)) status
  exec {GUEST_IN}>&-
  while kill -0 "$GUEST_PID" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill "$GUEST_PID" 2>/dev/null
      wait "$GUEST_PID" 2>/dev/null
      return 124
    fi
    sleep 0.05
  done
  wait "$GUEST_PID"
  status=$?
  return "$status"
}
