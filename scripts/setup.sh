#!/usr/bin/env bash
# Installs bt86's build and test dependencies from Debian's packages when missing.
set -euo pipefail
# The disk guests (guests/disk) boot through seabios and are built with grub-pc-bin, isolinux,
# memtest86+, mtools, syslinux, syslinux-common and xorriso.
packages=(build-essential catch2 cmake g++-multilib gcc-multilib gdb grub-pc-bin isolinux
          libasmjit-dev libboost-dev libfmt-dev libxml2-utils libzycore-dev libzydis-dev memtest86+
          mtools nasm ninja-build pkg-config python3 seabios syslinux syslinux-common xorriso)
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
