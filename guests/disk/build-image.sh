#!/usr/bin/env bash
# build-image.sh KIND [--size MIB] [CACHE_DIR]: builds (or reuses) a bootable
# image of the default Linux guest, or of memtest86+, the way a PC boots it:
#   syslinux   raw disk: syslinux's MBR, one FAT16 partition with syslinux,
#              vmlinuz-686 and the initramfs with its storage drivers
#   grub       raw disk: GRUB's boot.img and core.img (in the gap before the
#              partition), a FAT16 partition with grub.cfg and the same files
#   memtest    raw disk: syslinux booting memtest86+ (Debian's ia32 build)
#   iso        El Torito CD image (no emulation): isolinux and the same files
# into CACHE_DIR (else $BT86_DISK_CACHE, else ~/.cache/bt86/disk), and prints
# the image's path. No loop device, no mount: mtools writes the FAT, syslinux
# installs itself through mtools, dd places the boot code. --size sets a raw
# disk's size in MiB (default 16; the benchmark's disk is larger, sparse).
# An image is rebuilt when its inputs change: this script, the kernel and
# initramfs (guests/linux/build-guest.sh builds them), the Debian packages.
set -euo pipefail

usage() { echo "usage: $0 syslinux|grub|memtest|iso [--size MIB] [CACHE_DIR]" >&2; exit 2; }
[ $# -ge 1 ] || usage
kind=$1
shift
case $kind in syslinux | grub | memtest | iso) ;; *) usage ;; esac
size_mib=16
if [ "${1:-}" = "--size" ]; then
  [[ "${2:-}" =~ ^[0-9]+$ ]] && [ "$2" -ge 8 ] && [ "$2" -le 2000 ] || { echo "build-image: --size takes 8 to 2000 (MiB)" >&2; exit 2; }
  size_mib=$2
  shift 2
fi
[ "$kind" != iso ] || size_mib=0  # an ISO is as large as its files
cache=${1:-${BT86_DISK_CACHE:-$HOME/.cache/bt86/disk}}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say() { echo "build-image: $*" >&2; }

# Host tools, from scripts/setup.sh's package list.
need() {
  local tool=$1 pkg=$2
  command -v "$tool" >/dev/null || [ -e "$tool" ] || { say "$tool missing: install Debian's $pkg (scripts/setup.sh does)"; exit 1; }
}
need mformat mtools
case $kind in
  syslinux | memtest) need syslinux syslinux; need /usr/lib/syslinux/mbr/mbr.bin syslinux-common ;;
  grub) need grub-mkimage grub-common; need /usr/lib/grub/i386-pc/boot.img grub-pc-bin ;;
  iso) need xorriso xorriso; need /usr/lib/ISOLINUX/isolinux.bin isolinux ;;
esac
[ "$kind" != memtest ] || need /boot/memtest86+ia32.bin memtest86+
bios_modules=/usr/lib/syslinux/modules/bios

# The Linux guest's files (its builder prints their paths).
if [ "$kind" != memtest ]; then
  linux=$("$here/../linux/build-guest.sh" | grep -E '/vmlinuz-686$' | xargs dirname)
  payload=("$linux/vmlinuz-686" "$linux/initramfs.cpio.gz" "$linux/modules-686.cpio.gz")
else
  payload=(/boot/memtest86+ia32.bin)
fi

name=$kind
[ "$kind" = iso ] && name=linux
[ "$size_mib" = 16 ] || [ "$size_mib" = 0 ] || name=$kind-${size_mib}m
ext=img
[ "$kind" = iso ] && ext=iso
image=$cache/$name.$ext
inputs=$({
  echo "$kind $size_mib"
  cat "${BASH_SOURCE[0]}" "${payload[@]}"
  dpkg-query -W -f='${Package} ${Version}\n' mtools syslinux syslinux-common isolinux grub-pc-bin xorriso memtest86+ 2>/dev/null
} | sha256sum | cut -c1-64)
current() { [ -s "$image" ] && [ "$(cat "$image.inputs" 2>/dev/null)" = "$inputs" ]; }

mkdir -p "$cache"
if ! current; then
  exec 9>"$cache/.lock"
  flock 9
fi
if current; then echo "$image"; exit 0; fi

work=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "building $image"
export MTOOLS_SKIP_CHECK=1  # the FAT's geometry need not match a floppy's

append="console=tty0 console=ttyS0,115200"
# The boot loader's configuration: one entry, booted at once, its prompt on
# the serial port too.
syslinux_cfg() {
  echo "SERIAL 0 115200"
  echo "PROMPT 0"
  echo "DEFAULT boot"
  echo "LABEL boot"
  if [ "$kind" = memtest ]; then
    # LINUX, not KERNEL: a .bin name would otherwise be booted as a boot sector.
    echo "  LINUX /memtest.bin"
    # nobench: no memory-speed measurement at start (a minute on QEMU TCG).
    echo "  APPEND console=ttyS0,115200 nobench"
  else
    echo "  LINUX /vmlinuz"
    echo "  INITRD /initrd.gz"
    echo "  APPEND $append"
  fi
}
# The disk guests' initrd: the initramfs, then the drivers' archive.
stage_linux() {
  cp "$linux/vmlinuz-686" "$1/vmlinuz"
  cat "$linux/initramfs.cpio.gz" "$linux/modules-686.cpio.gz" >"$1/initrd.gz"
}

# A little-endian N-byte value as printf escapes.
le_bytes() {
  local v=$1 n=$2 i out=
  for ((i = 0; i < n; i++)); do out+=$(printf '\\%03o' $(((v >> (8 * i)) & 255))); done
  printf '%s' "$out"
}
# CHS of an LBA in the 16-head, 63-sector geometry ATA gives small disks,
# packed as a partition entry wants it; past cylinder 1023, the "use LBA" mark.
chs_bytes() {
  local lba=$1 c h s
  c=$((lba / (16 * 63))) h=$((lba / 63 % 16)) s=$((lba % 63 + 1))
  if [ "$c" -gt 1023 ]; then c=1023 h=254 s=63; fi
  printf '\\%03o\\%03o\\%03o' "$h" $(((c >> 2 & 0xC0) | s)) $((c & 255))
}
# A raw disk: boot code in the MBR, one active FAT16 partition from 1 MiB to
# the end (the gap before it holds GRUB's core.img), files in its root.
make_disk() {
  local img=$1 boot_code=$2
  shift 2
  local start=2048 total=$((size_mib * 2048)) sectors cluster=1
  sectors=$((total - start))
  # FAT16 has at most 65524 clusters: grow the cluster for large disks.
  while [ $((sectors / cluster)) -gt 65000 ]; do cluster=$((cluster * 2)); done
  truncate -s "${size_mib}M" "$img"
  dd if="$boot_code" of="$img" bs=440 count=1 conv=notrunc status=none
  # Partition entry 1 (active, type 0x0E: FAT16 addressed by LBA), the signature.
  printf "\\200$(chs_bytes $start)\\016$(chs_bytes $((total - 1)))$(le_bytes $start 4)$(le_bytes "$sectors" 4)" |
    dd of="$img" bs=1 seek=446 conv=notrunc status=none
  printf '\125\252' | dd of="$img" bs=1 seek=510 conv=notrunc status=none
  mformat -i "$img@@$((start * 512))" -T "$sectors" -h 16 -s 63 -H "$start" -c "$cluster" -v BT86 ::
  mcopy -i "$img@@$((start * 512))" -s "$@" ::
}

files=$work/files
mkdir -p "$files"
case $kind in
  syslinux | memtest)
    if [ "$kind" = memtest ]; then cp /boot/memtest86+ia32.bin "$files/memtest.bin"; else stage_linux "$files"; fi
    syslinux_cfg >"$files/syslinux.cfg"
    make_disk "$work/image" /usr/lib/syslinux/mbr/mbr.bin "$files"/*
    # Writes ldlinux.sys and ldlinux.c32 into the FAT and its boot sector.
    syslinux --install --offset $((2048 * 512)) "$work/image"
    ;;
  grub)
    stage_linux "$files"
    mkdir -p "$files/boot/grub"
    cat >"$files/boot/grub/grub.cfg" <<EOF
set timeout=0
menuentry "Debian 686 (bt86 disk guest)" {
  linux /vmlinuz $append
  initrd /initrd.gz
}
EOF
    # core.img's own configuration: the serial terminal, then normal mode
    # reads \$prefix/grub.cfg.
    cat >"$work/early.cfg" <<'EOF'
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
set root=(hd0,msdos1)
set prefix=(hd0,msdos1)/boot/grub
EOF
    grub-mkimage -O i386-pc -o "$work/core.img" -c "$work/early.cfg" -p '(hd0,msdos1)/boot/grub' \
      biosdisk part_msdos fat linux normal configfile serial terminal
    [ "$(stat -c %s "$work/core.img")" -lt $((2047 * 512)) ] || { say "core.img does not fit before the partition"; exit 1; }
    make_disk "$work/image" /usr/lib/grub/i386-pc/boot.img "$files"/*
    # boot.img loads sector 1; core.img's first sector (diskboot) then
    # loads the rest from sector 2 on, the lengths grub-mkimage wrote in.
    dd if="$work/core.img" of="$work/image" bs=512 seek=1 conv=notrunc status=none
    ;;
  iso)
    stage_linux "$files"
    mkdir -p "$files/isolinux"
    cp /usr/lib/ISOLINUX/isolinux.bin "$bios_modules/ldlinux.c32" "$files/isolinux/"
    syslinux_cfg >"$files/isolinux/isolinux.cfg"
    find "$files" -exec touch -h -d @0 {} +
    xorriso -as mkisofs -quiet -o "$work/image" -V BT86 -R -J \
      -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table "$files"
    ;;
esac
mv -f "$work/image" "$image"
echo "$inputs" >"$image.inputs"
echo "$image"
