#!/bin/sh
# disk_boot.sh BT86 IMAGE: boots a copy of guests/disk_boot's raw disk with
# --disk through SeaBIOS. The guest checks its reads, writes a marker to
# sector 200 and prints PASS; then the image must hold the marker there and
# be unchanged elsewhere. A second copy booted with --snapshot must PASS
# too (the guest reads its write back) and stay byte for byte the image.
set -u
bt86=$1 image=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "disk_boot: FAIL: $*" >&2; exit 1; }
boot() {  # boot FILE [OPTIONS]: the run's status and a PASS from the guest
  disk=$1
  shift
  timeout -k 10 120 "$bt86" run --disk "$disk" --timeout 60 "$@" >"$dir/out" 2>&1
  status=$?
  cat "$dir/out"
  [ "$status" -eq 1 ] || fail "exit status $status, expected 1 (isa-debug-exit 0)"
  grep -q "disk_boot: PASS" "$dir/out" || fail "the guest did not say PASS"
}
sectors() { dd if="$1" bs=512 skip="$2" count="$3" 2>/dev/null; }

cp "$image" "$dir/disk.img"
boot "$dir/disk.img"
[ "$(sectors "$dir/disk.img" 200 1 | head -c 15)" = "BT86-DISK-WRITE" ] || fail "sector 200 does not hold the marker"
sectors "$image" 0 200 >"$dir/a"; sectors "$dir/disk.img" 0 200 >"$dir/b"
cmp -s "$dir/a" "$dir/b" || fail "sectors 0-199 changed"
sectors "$image" 201 55 >"$dir/a"; sectors "$dir/disk.img" 201 55 >"$dir/b"
cmp -s "$dir/a" "$dir/b" || fail "sectors 201-255 changed"

cp "$image" "$dir/snap.img"
boot "$dir/snap.img" --snapshot
cmp -s "$image" "$dir/snap.img" || fail "--snapshot: the image changed"
echo "disk_boot: ok"
