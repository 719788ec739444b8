#!/usr/bin/env bash
# disk_session.sh BT86|qemu KIND [--write] [emulator args...]: boots the Linux
# guest the way a PC does, from an image guests/disk/build-image.sh builds
# (or reuses):
#   syslinux  raw disk, syslinux's MBR and a FAT partition  (--disk)
#   grub      raw disk, GRUB's boot.img and core.img        (--disk)
#   iso       El Torito CD, isolinux                        (--cdrom)
# through SeaBIOS (bt86's default firmware without --kernel), waits for the
# shell prompt on the serial console, then types a short session: shell
# arithmetic, the kernel's view of the disks, a read-only mount of the boot
# file system and the MD5 of the kernel on it (against the host's), and
# poweroff. With --write (raw disks), on a copy of the image: the guest
# mounts the FAT read-write, writes a file, syncs and powers off, and the
# host must find the file in the image (mtools); then again with
# --snapshot, and the image must not change. With "qemu" instead of a bt86
# executable, the same runs on qemu-system-i386 (TCG), the reference.
set -u
if [ $# -lt 2 ]; then
  echo "usage: $0 BT86|qemu syslinux|grub|iso [--write] [emulator args...]" >&2
  exit 2
fi
emulator=$1 kind=$2
shift 2
write=0
if [ "${1:-}" = --write ]; then write=1; shift; fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/serial_expect.sh"
fail() { echo "disk_session: $1" >&2; exit 1; }

image=$("$here/../guests/disk/build-image.sh" "$kind") || fail "cannot build the $kind image"
linux=$("$here/../guests/linux/build-guest.sh" 2>/dev/null | grep -E '/vmlinuz-686$' | xargs dirname)
case $kind in
  syslinux) banner='^SYSLINUX [0-9]' dev=/dev/sda1 fs=vfat part=sda1 ;;
  grub) banner="Booting .Debian 686 \\(bt86 disk guest\\)" dev=/dev/sda1 fs=vfat part=sda1 ;;
  iso) banner='^ISOLINUX [0-9]' dev=/dev/sr0 fs=iso9660 part=sr0 ;;
  *) fail "unknown image kind $kind" ;;
esac
[ "$write" = 0 ] || [ "$kind" != iso ] || fail "--write needs a raw disk"
extra=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log
show() { tr -d '\r' <"$log"; }
step=0
# Types CMD, then waits for its end marker (the shell, not the echo of the
# typed line, prints the number) and for OUTPUT_REGEX if given.
session() {
  local cmd=$1 want=${2:-}
  step=$((step + 1))
  guest_send "$cmd; echo step-end-\$((1000+$step))"
  guest_wait "^step-end-$((1000 + step))" 60 || { show; fail "no end of step $step ($cmd)"; }
  [ -z "$want" ] || show | grep -Eq -- "$want" || { show; fail "step $step ($cmd): no /$want/"; }
}
# boot IMAGE SNAPSHOT(0|1): starts the emulator on IMAGE and waits for the
# boot loader, /init and the shell prompt.
boot() {
  local img=$1 snap=$2 drive
  if [ "$emulator" = qemu ]; then
    drive=(-drive "file=$img,format=raw$([ "$snap" = 1 ] && echo ,snapshot=on)")
    [ "$kind" = iso ] && drive=(-cdrom "$img")
    cmd=(qemu-system-i386 -accel tcg -m 256 "${drive[@]}" -display none -serial stdio -no-reboot)
  else
    drive=(--disk "$img")
    [ "$snap" = 1 ] && drive+=(--snapshot)
    [ "$kind" = iso ] && drive=(--cdrom "$img")
    cmd=("$emulator" run "${drive[@]}" --timeout 170)
  fi
  guest_start "$log" "${cmd[@]}" "${extra[@]}"
  guest_wait "$banner" 60 || { guest_finish 5; show; fail "the boot loader did not start"; }
  guest_wait '^bt86 guest: interactive shell' 120 || { guest_finish 5; show; fail "Linux did not reach /init"; }
  guest_wait '^/ # ' 30 || { guest_finish 5; show; fail "no shell prompt"; }
  step=0
}
# Powers the guest off; the emulator must end with status 0.
power_off() {
  local status
  guest_send 'poweroff -f'
  guest_finish 60
  status=$?
  show
  [ "$status" -eq 0 ] || fail "the emulator exited with $status, expected 0 (poweroff)"
}

if [ "$write" = 0 ]; then
  boot "$image" 1
  session 'echo answer-$((6*7))' '^answer-42'
  session 'cat /proc/partitions' " $part\$"
  session "mkdir -p /mnt && mount -o ro -t $fs $dev /mnt && echo mounted-$fs" "^mounted-$fs"
  session 'md5sum /mnt/vmlinuz' "^$(md5sum <"$linux/vmlinuz-686" | cut -d' ' -f1)  /mnt/vmlinuz"
  power_off
  echo "disk_session: $kind booted to the shell and passed the session"
  exit 0
fi

# Writes NAME holding TEXT on the boot file system, flushes, powers off.
write_file() {
  session "mkdir -p /mnt && mount -t vfat $dev /mnt && echo mounted-rw" '^mounted-rw'
  session "echo $2 >/mnt/$1 && sync && umount /mnt && echo written-$1" "^written-$1"
  power_off
}
export MTOOLS_SKIP_CHECK=1
copy=$tmp/disk.img
cp --sparse=always "$image" "$copy"
token=bt86-$RANDOM$RANDOM
boot "$copy" 0
write_file written.txt "$token"
[ "$(mtype -i "$copy@@1M" ::/written.txt 2>&1 | tr -d '\r')" = "$token" ] ||
  fail "the image does not hold the guest's file: $(mtype -i "$copy@@1M" ::/written.txt 2>&1)"
before=$(md5sum <"$copy")
boot "$copy" 1
write_file snapshot.txt "$token"
[ "$(md5sum <"$copy")" = "$before" ] || fail "with --snapshot the guest's writes changed the image"
echo "disk_session: the guest's file is in the image; with --snapshot the image did not change"
