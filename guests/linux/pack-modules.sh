#!/usr/bin/env bash
# pack-modules.sh MODULES_DIR OUT.cpio.gz: packs the storage drivers the disk
# guests need (Debian builds ATA, SCSI disk/CD-ROM, FAT and ISO 9660 as
# modules) from an extracted kernel's /lib/modules/<version>, with their
# dependencies first, into a cpio archive to concatenate after the
# initramfs: /lib/modules/*.ko and /etc/modules, the load order, which
# /init insmods. (The kernel unpacks concatenated archives in order.)
set -euo pipefail
dir=$1 out=$2
# (FAT mounts need the code page and the ascii I/O charset, ISO 9660 utf8.)
wanted=(ata_piix sd_mod sr_mod vfat isofs nls_cp437 nls_ascii nls_utf8)

declare -A path seen
while IFS= read -r f; do path[$(basename "$f" .ko)]=$f; done < <(find "$dir/kernel" -name '*.ko')
order=()
# A module's dependencies are its .modinfo section's "depends=" string.
visit() {
  local m=$1 d
  [ -n "${seen[$m]:-}" ] && return
  seen[$m]=1
  [ -n "${path[$m]:-}" ] || { echo "pack-modules: no module $m in $dir" >&2; exit 1; }
  for d in $(tr '\0' '\n' <"${path[$m]}" | sed -n 's/^depends=//p' | head -1 | tr , ' '); do visit "$d"; done
  order+=("$m")
}
for m in "${wanted[@]}"; do visit "$m"; done

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"  # "." in the archive: the root directory's mode
mkdir -p "$root/lib/modules" "$root/etc"
for m in "${order[@]}"; do cp "${path[$m]}" "$root/lib/modules/"; done
printf '%s\n' "${order[@]}" >"$root/etc/modules"
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
  cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) | gzip -9n >"$out"
