# The real guest: Debian's i386 kernel with a busybox initramfs, built from
# Debian's packages by guests/linux/build-guest.sh (cached), running a
# scripted session (uname, fork/exec loop, pipe, arithmetic, /proc/cpuinfo,
# /proc/interrupts, the guest clock against the host's).
add_test(NAME linux.session.686 COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/linux_session.sh ${BT86_EXE} vmlinuz-686)
set_tests_properties(linux.session.686 PROPERTIES LABELS linux TIMEOUT 900 RUN_SERIAL TRUE)
add_test(NAME linux.session.686-pae COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/linux_session.sh ${BT86_EXE} vmlinuz-686-pae)
set_tests_properties(linux.session.686-pae PROPERTIES LABELS linux TIMEOUT 900 RUN_SERIAL TRUE)
# The same session with the kernel told to use the 8259A pair: without the
# I/O APIC (noapic, the local APIC's timer still ticks) and without any APIC.
foreach(mode noapic nolapic)
  add_test(NAME linux.session.686.${mode} COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/linux_session.sh ${BT86_EXE} vmlinuz-686 ${mode})
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
