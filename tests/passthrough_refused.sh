#!/bin/sh
# passthrough_refused.sh BT86 KERNEL: --passthrough of a PCI device this host
# has, where the host does not offer it to VFIO, must end with status 2 and
# a reason naming what is missing (IOMMU groups, VFIO, the vfio-pci driver),
# before the guest runs. Skipped (77) where the device is offered.
set -u
bt86=$1 kernel=$2
dev=$(ls /sys/bus/pci/devices 2>/dev/null | head -n 1)
if [ -z "$dev" ]; then
    echo "SKIPPED: this host has no PCI devices"
    exit 77
fi
driver=$(basename "$(readlink "/sys/bus/pci/devices/$dev/driver" 2>/dev/null)" 2>/dev/null)
if [ -c /dev/vfio/vfio ] && [ "$driver" = vfio-pci ]; then
    echo "SKIPPED: $dev is offered to VFIO here"
    exit 77
fi
out=$("$bt86" run --backend kvm --kernel "$kernel" --passthrough "$dev" 2>&1)
status=$?
printf '%s\n' "$out"
[ "$status" -eq 2 ] || { echo "passthrough_refused: exit status $status, expected 2" >&2; exit 1; }
printf '%s\n' "$out" | grep -q "cannot assign the device: .*\(IOMMU\|VFIO\|vfio-pci\)" ||
    { echo "passthrough_refused: no reason naming the IOMMU, VFIO or vfio-pci" >&2; exit 1; }
if printf '%s\n' "$out" | grep -qx PASS; then
    echo "passthrough_refused: the guest ran" >&2
    exit 1
fi
echo "passthrough_refused: ok"
