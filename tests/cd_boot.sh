#!/bin/sh
# cd_boot.sh BT86 BOOT-IMAGE DISK-IMAGE: puts guests/disk_boot's El Torito
# boot image on an ISO (xorriso; skipped, status 77, without it), boots it
# with --cdrom through SeaBIOS and expects the guest's PASS. Then with both
# a bootable disk and the CD: the disk boots first, and --boot d the CD.
set -u
bt86=$1 boot_image=$2 disk_image=$3
command -v xorriso >/dev/null || { echo "SKIPPED: xorriso is not installed"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "cd_boot: FAIL: $*" >&2; exit 1; }
mkdir "$dir/root"
cp "$boot_image" "$dir/root/boot.bin"
xorriso -as mkisofs -quiet -o "$dir/cd.iso" -b boot.bin -no-emul-boot -boot-load-size 4 "$dir/root" 2>/dev/null ||
  fail "xorriso could not build the ISO"
run() {  # run WHO OPTIONS...: expects WHO's PASS
  who=$1
  shift
  timeout -k 10 120 "$bt86" run --timeout 60 "$@" >"$dir/out" 2>&1
  status=$?
  cat "$dir/out"
  [ "$status" -eq 1 ] || fail "$*: exit status $status, expected 1"
  grep -q "$who: PASS" "$dir/out" || fail "$*: no PASS from $who"
}
run cd_boot --cdrom "$dir/cd.iso"
cp "$disk_image" "$dir/disk.img"
run disk_boot --disk "$dir/disk.img" --cdrom "$dir/cd.iso" --snapshot
run cd_boot --disk "$dir/disk.img" --cdrom "$dir/cd.iso" --boot d
echo "cd_boot: ok"
