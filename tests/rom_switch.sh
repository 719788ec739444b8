#!/bin/sh
# rom_switch.sh BT86 ROM MIN_SWITCHES EVERY [bt86 options...]: boots a
# firmware image (rom_boot.sh's checks) while the machine moves between
# bt86 and KVM (--switch-every EVERY), so real mode, the PAM routing, A20
# and the protected-mode round trips cross backends; bt86 must report at
# least MIN_SWITCHES switches.
set -u
bt86=$1 rom=$2 min=$3 every=$4
shift 4
out=$(sh "$(dirname "$0")/rom_boot.sh" "$bt86" "$rom" --switch-every "$every" "$@")
rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || exit 1
n=$(printf '%s\n' "$out" | sed -n 's/^bt86: switched backends \([0-9]*\) times.*/\1/p' | tail -n 1)
if [ -z "$n" ] || [ "$n" -lt "$min" ]; then
    echo "rom_switch: FAIL: switched ${n:-no} times, expected at least $min" >&2
    exit 1
fi
echo "rom_switch: ok: $n switches"
