#!/usr/bin/env bash
# Builds bt86's default Linux guest from Debian's i386 packages:
#   vmlinuz-686, vmlinuz-686-pae   Debian's kernels (bzImage)
#   initramfs.cpio.gz              static busybox, /init, /test-session.sh
#   modules-686.cpio.gz            vmlinuz-686's storage drivers, an archive to
#                                  append to the initramfs (guests/disk)
# into a cache directory (first argument, else $BT86_CACHE, else
# ~/.cache/bt86/linux). Outputs that are all present are reused, except the
# initramfs when /init or /test-session.sh changed since it was packed (it is
# then repacked alone, the kernels kept); --force rebuilds everything.
# Concurrent runs are safe: one builds under a lock, into a temporary
# directory, and renames each output into place.
set -euo pipefail

force=0
if [ "${1:-}" = "--force" ]; then force=1; shift; fi
cache=${1:-${BT86_CACHE:-$HOME/.cache/bt86/linux}}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
outputs=(vmlinuz-686 vmlinuz-686-pae modules-686.cpio.gz initramfs.cpio.gz)

say() { echo "build-guest: $*" >&2; }
# The initramfs's own inputs, so that an edited session script is packed.
inputs=$(cat "$here/initramfs/init" "$here/initramfs/test-session.sh" | sha256sum | cut -c1-64)
# The drivers' archive comes from the kernel package too: a changed list
# (pack-modules.sh) fetches the kernels again.
modules_inputs=$(sha256sum <"$here/pack-modules.sh" | cut -c1-64)
kernels_present() {
  [ -s "$cache/vmlinuz-686" ] && [ -s "$cache/vmlinuz-686-pae" ] && [ -s "$cache/modules-686.cpio.gz" ] &&
    [ "$(cat "$cache/modules.inputs" 2>/dev/null)" = "$modules_inputs" ]
}
all_present() {
  kernels_present && [ -s "$cache/initramfs.cpio.gz" ] &&
    [ "$(cat "$cache/initramfs.inputs" 2>/dev/null)" = "$inputs" ]
}
report() {
  say "outputs in $cache:"
  local f
  for f in "${outputs[@]}"; do echo "$cache/$f"; done
  [ -f "$cache/versions" ] && sed 's/^/build-guest:   /' "$cache/versions" >&2
  return 0
}

mkdir -p "$cache"
if [ "$force" = 0 ] && all_present; then report; exit 0; fi

# One builder at a time; whoever waited finds the outputs there.
exec 9>"$cache/.lock"
flock 9
if [ "$force" = 0 ] && all_present; then report; exit 0; fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive

# Host tools: cpio and gzip pack the initramfs, flock came with util-linux.
missing=()
for p in cpio gzip; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# i386 packages: add the architecture and refresh the lists only when apt
# does not know them yet.
if ! apt-cache show busybox-static:i386 >/dev/null 2>&1 || ! apt-cache show linux-image-686:i386 >/dev/null 2>&1; then
  dpkg --print-foreign-architectures | grep -qx i386 || "${sudo_cmd[@]}" dpkg --add-architecture i386
  say "updating apt's package lists for i386"
  # A mirror mid-sync can fail one index; what matters is the check below.
  "${sudo_cmd[@]}" apt-get update -qq || say "apt-get update reported errors; going on with the lists it got"
fi
for p in busybox-static:i386 linux-image-686:i386; do
  apt-cache show "$p" >/dev/null 2>&1 || { say "apt knows no package $p"; exit 1; }
done

kernels=1  # fetch the kernels too
if [ "$force" = 0 ] && kernels_present; then kernels=0; fi
if [ "$kernels" = 1 ]; then
  # The metapackage linux-image-686 depends on the current versioned kernel,
  # e.g. linux-image-6.1.0-28-686; its -686-pae twin has the same ABI name.
  kernel_pkg=$(apt-cache depends linux-image-686:i386 | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { sub(/:i386$/, "", $2); print $2; exit }')
  if [ -z "$kernel_pkg" ]; then
    say "cannot find the kernel package that linux-image-686 depends on"
    exit 1
  fi
  abi=${kernel_pkg#linux-image-}
  abi=${abi%-686}
  packages=("linux-image-$abi-686:i386" "linux-image-$abi-686-pae:i386" "busybox-static:i386")
else
  say "kernels present; repacking the initramfs (its inputs changed)"
  packages=("busybox-static:i386")
fi

work=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "downloading ${packages[*]}"
# (As root, apt's download sandbox user cannot write here: download as root.)
sandbox=()
[ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
(cd "$work" && apt-get download -qq "${sandbox[@]}" "${packages[@]}")
debs=("$work"/*.deb)
if [ "${#debs[@]}" -ne "${#packages[@]}" ]; then
  say "expected ${#packages[@]} packages, apt-get download fetched ${#debs[@]}"
  exit 1
fi
for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$work/x"; done
{
  [ "$kernels" = 1 ] || grep -v '^busybox' "$cache/versions" 2>/dev/null || true
  for deb in "${debs[@]}"; do dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb"; done
} >"$work/versions"

built=(initramfs.cpio.gz initramfs.inputs versions)
if [ "$kernels" = 1 ]; then
  cp "$work/x/boot/vmlinuz-$abi-686" "$work/vmlinuz-686"
  cp "$work/x/boot/vmlinuz-$abi-686-pae" "$work/vmlinuz-686-pae"
  "$here/pack-modules.sh" "$work/x/lib/modules/$abi-686" "$work/modules-686.cpio.gz"
  echo "$modules_inputs" >"$work/modules.inputs"
  built+=(vmlinuz-686 vmlinuz-686-pae modules-686.cpio.gz modules.inputs)
fi

# The initramfs: busybox alone, its applet links made by /init at boot.
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc}
cp "$work/x/bin/busybox" "$root/bin/busybox"
install -m 0755 "$here/initramfs/init" "$root/init"
install -m 0755 "$here/initramfs/test-session.sh" "$root/test-session.sh"
ln -s busybox "$root/bin/sh"
# A console node for the kernel to open before /init runs (its built-in
# initramfs usually has one too); creating it needs root.
mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
  cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) | gzip -9n >"$work/initramfs.cpio.gz"
echo "$inputs" >"$work/initramfs.inputs"

# The stamp goes last: a reader never pairs a new stamp with an old initramfs.
for f in "${built[@]}"; do [ "$f" = initramfs.inputs ] || mv -f "$work/$f" "$cache/$f"; done
mv -f "$work/initramfs.inputs" "$cache/initramfs.inputs"
report
