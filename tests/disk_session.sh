#!/usr/bin/env bash
# disk_session.sh BT86|qemu KIND [emulator args...]: boots the Linux guest the
# way a PC does, from an image guests/disk/build-image.sh builds (or reuses):
#   syslinux  raw disk, syslinux's MBR and a FAT partition  (--disk)
#   grub      raw disk, GRUB's boot.img and core.img        (--disk)
#   iso       El Torito CD, isolinux                        (--cdrom)
# through SeaBIOS (bt86's default firmware without --kernel), waits for the
# shell prompt on the serial console, then types a short session: shell
# arithmetic, the kernel's view of the disks, a read-only mount of the boot
# file system and the MD5 of the kernel on it (against the host's), and
# poweroff. With "qemu" instead of a bt86 executable, the same session runs
# on qemu-system-i386 (TCG), the reference.
set -u
if [ $# -lt 2 ]; then
  echo "usage: $0 BT86|qemu syslinux|grub|iso [emulator args...]" >&2
  exit 2
fi
emulator=$1 kind=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/serial_expect.sh"
fail() { echo "disk_session: $1" >&2; exit 1; }

image=$("$here/../guests/disk/build-image.sh" "$kind") || fail "cannot build the $kind image"
linux=$("$here/../guests/linux/build-guest.sh" 2>/dev/null | grep -m1 -E '/(vmlinuz|initramfs)' | xargs dirname)
case $kind in
  syslinux) banner='^SYSLINUX [0-9]' dev=/dev/sda1 fs=vfat part=sda1 ;;
  grub) banner="Booting .Debian 686 \\(bt86 disk guest\\)" dev=/dev/sda1 fs=vfat part=sda1 ;;
  iso) banner='^ISOLINUX [0-9]' dev=/dev/sr0 fs=iso9660 part=sr0 ;;
  *) fail "unknown image kind $kind" ;;
esac
if [ "$emulator" = qemu ]; then
  drive=(-drive "file=$image,format=raw,snapshot=on")
  [ "$kind" = iso ] && drive=(-cdrom "$image")
  cmd=(qemu-system-i386 -accel tcg -m 256 "${drive[@]}" -display none -serial stdio -no-reboot "$@")
else
  drive=(--disk "$image" --snapshot)
  [ "$kind" = iso ] && drive=(--cdrom "$image")
  cmd=("$emulator" run "${drive[@]}" --timeout 170 "$@")
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
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

guest_start "$log" "${cmd[@]}"
guest_wait "$banner" 60 || { guest_finish 5; show; fail "the boot loader did not start"; }
guest_wait '^bt86 guest: interactive shell' 120 || { guest_finish 5; show; fail "Linux did not reach /init"; }
guest_wait '^/ # ' 30 || { guest_finish 5; show; fail "no shell prompt"; }
session 'echo answer-$((6*7))' '^answer-42'
session 'cat /proc/partitions' " $part\$"
session "mkdir -p /mnt && mount -o ro -t $fs $dev /mnt && echo mounted-$fs" "^mounted-$fs"
session 'md5sum /mnt/vmlinuz' "^$(md5sum <"$linux/vmlinuz-686" | cut -d' ' -f1)  /mnt/vmlinuz"
guest_send 'poweroff -f'
guest_finish 60
status=$?
show
[ "$status" -eq 0 ] || fail "the emulator exited with $status, expected 0 (poweroff)"
echo "disk_session: $kind booted to the shell and passed the session"
