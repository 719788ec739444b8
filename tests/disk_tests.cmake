# Legacy guests booted the way a PC boots them: SeaBIOS (the firmware when
# --kernel is absent), the boot sector, a boot loader, then the system. The
# images come from Debian's packages through guests/disk/build-image.sh
# (cached in ~/.cache/bt86/disk; the scripts build what is missing, the
# Linux guest included). disk.<kind>: the Linux guest from a syslinux disk,
# a GRUB disk or an isolinux CD to its shell prompt, then a typed session
# that mounts the boot file system and checks the kernel's MD5 on it.
foreach(kind syslinux grub iso)
  add_test(NAME disk.${kind} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/disk_session.sh ${BT86_EXE} ${kind})
  set_tests_properties(disk.${kind} PROPERTIES LABELS disk TIMEOUT 300)
endforeach()
# The guest writes a file on the syslinux disk (a copy), syncs and powers
# off: the image holds it (mtools reads it); with --snapshot, nothing new.
add_test(NAME disk.syslinux.write COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/disk_session.sh ${BT86_EXE} syslinux --write)
set_tests_properties(disk.syslinux.write PROPERTIES LABELS disk TIMEOUT 300)
# memtest86+ from the syslinux disk: its pass counter and a test in progress
# on the VGA text screen (--screendump) and on its serial console.
add_test(NAME disk.memtest COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/memtest_screen.sh ${BT86_EXE})
set_tests_properties(disk.memtest PROPERTIES LABELS disk TIMEOUT 300)
