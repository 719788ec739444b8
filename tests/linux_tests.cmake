# The real guest: Debian's i386 kernel with a busybox initramfs, built from
# Debian's packages by guests/linux/build-guest.sh (cached), running a
# scripted session (uname, fork/exec loop, pipe, arithmetic, /proc/cpuinfo,
# /proc/interrupts, the guest clock against the host's). A session whose
# only fault is timing (the TSC marked unstable, the clock off by more than
# 1 %: a host that deschedules bt86 for ~100 ms makes the kernel's ticks
# come late) runs again, up to 3 times; any other failure fails at once.
set(BT86_SESSION sh ${CMAKE_CURRENT_SOURCE_DIR}/retry.sh --only 3 3 ${CMAKE_CURRENT_SOURCE_DIR}/linux_session.sh)
add_test(NAME linux.session.686 COMMAND ${BT86_SESSION} ${BT86_EXE} vmlinuz-686)
set_tests_properties(linux.session.686 PROPERTIES LABELS linux TIMEOUT 900 RUN_SERIAL TRUE)
add_test(NAME linux.session.686-pae COMMAND ${BT86_SESSION} ${BT86_EXE} vmlinuz-686-pae)
set_tests_properties(linux.session.686-pae PROPERTIES LABELS linux TIMEOUT 900 RUN_SERIAL TRUE)
# The same session with the kernel told to use the 8259A pair: without the
# I/O APIC (noapic, the local APIC's timer still ticks) and without any APIC.
foreach(mode noapic nolapic)
  add_test(NAME linux.session.686.${mode} COMMAND ${BT86_SESSION} ${BT86_EXE} vmlinuz-686 ${mode})
  set_tests_properties(linux.session.686.${mode} PROPERTIES LABELS linux TIMEOUT 900 RUN_SERIAL TRUE)
endforeach()
# The TSC calibrated against the PIT at boot, with the PM timer and without
# it (acpi=off: nothing to fall back on). A host that deschedules bt86 for
# longer than a PIT step (214 us) during the ~3 ms of the calibration spoils
# a boot, so up to 5 boots; without hidden translation time every boot fails.
foreach(variant 686 686-pae 686.acpi-off)
  string(REPLACE ".acpi-off" "" kernel ${variant})
  set(append)
  if(variant MATCHES "acpi-off")
    set(append acpi=off)
  endif()
  add_test(NAME linux.tsc_pit.${variant} COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/retry.sh 5
           ${CMAKE_CURRENT_SOURCE_DIR}/linux_tsc.sh ${BT86_EXE} vmlinuz-${kernel} ${append})
  set_tests_properties(linux.tsc_pit.${variant} PROPERTIES LABELS linux TIMEOUT 300 RUN_SERIAL TRUE)
endforeach()
