#!/usr/bin/env bash
# Installs bt86's build and test dependencies from Debian's packages when missing.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config libzydis-dev libzycore-dev libasmjit-dev
          libboost-dev libfmt-dev catch2 nasm gcc-multilib g++-multilib python3 gdb libxml2-utils)
# Booting legacy guests from disk images: the default firmware (SeaBIOS)
# and what the tests build images with (guests/disk). One per line, sorted.
packages+=(
  grub-pc-bin
  isolinux
  memtest86+
  mtools
  seabios
  syslinux
  syslinux-common
  xorriso
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
