#!/bin/sh
# The scripted session of bt86's default Linux guest (bt86.script=1): each
# step prints its command line and output; the last line names the end.
step() {
  echo "bt86\$ $1"
  eval "$1"
}

echo "=== bt86 scripted session ==="
step 'sleep 1; echo clock-start $(cat /proc/uptime)'
step 'uname -a'
step 'i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i+1)); done; echo forks-ok'
step 'echo hello-pipe | cat | tr a-z A-Z'
step 'echo $((6*7))'
step 'grep -c processor /proc/cpuinfo'
step 'cat /proc/cpuinfo | head -20'
step 'ls /sys/bus/pci/devices | cat'
step 'd=/sys/bus/pci/devices/0000:00:00.0; echo pci-00:00.0 $(cat $d/vendor $d/device $d/class)'
step 'cat /proc/interrupts'
step 'sleep 2; echo clock-end $(cat /proc/uptime)'
echo "=== bt86 scripted session done ==="
poweroff -f
