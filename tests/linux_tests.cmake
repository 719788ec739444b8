# The real guest: Debian's i386 kernel with a busybox initramfs, built from
# Debian's packages by guests/linux/build-guest.sh (cached), running a
# scripted session (uname, fork/exec loop, pipe, arithmetic, /proc/cpuinfo).
add_test(NAME linux.session.686 COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/linux_session.sh ${BT86_EXE} vmlinuz-686)
set_tests_properties(linux.session.686 PROPERTIES LABELS linux TIMEOUT 900 RUN_SERIAL TRUE)
add_test(NAME linux.session.686-pae COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/linux_session.sh ${BT86_EXE} vmlinuz-686-pae)
set_tests_properties(linux.session.686-pae PROPERTIES LABELS linux TIMEOUT 900 RUN_SERIAL TRUE)
# acpi=off: the TSC is calibrated against the PIT with no PM timer to fall back on.
add_test(NAME linux.session.686.acpi-off
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/linux_session.sh ${BT86_EXE} vmlinuz-686 --no-acpi)
set_tests_properties(linux.session.686.acpi-off PROPERTIES LABELS linux TIMEOUT 900 RUN_SERIAL TRUE)
