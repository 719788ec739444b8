# Booting from disk images through SeaBIOS and the PIIX3 IDE controller
# (guests/disk_boot), and the CLI's refusals of bad images.
add_test(NAME disk.boot COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/disk_boot.sh ${BT86_EXE} ${BT86_GUEST_DIR}/disk_boot.img)
add_test(NAME disk.cdrom COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cd_boot.sh ${BT86_EXE} ${BT86_GUEST_DIR}/cd_boot.bin
         ${BT86_GUEST_DIR}/disk_boot.img)
set_tests_properties(disk.boot disk.cdrom PROPERTIES LABELS guest TIMEOUT 300)
set_tests_properties(disk.cdrom PROPERTIES SKIP_RETURN_CODE 77)

set(ODD_DISK ${CMAKE_CURRENT_BINARY_DIR}/odd_disk.img)
file(WRITE ${ODD_DISK} "a raw disk image holds whole 512-byte sectors; this one does not\n")
set(EMPTY_DISK ${CMAKE_CURRENT_BINARY_DIR}/empty_disk.img)
file(WRITE ${EMPTY_DISK} "")
add_test(NAME cli.disk_missing COMMAND ${EXPECT} 2 "cannot open disk image '/nonexistent/disk.img': No such file"
         ${BT86_EXE} run --disk /nonexistent/disk.img)
add_test(NAME cli.disk_odd_size COMMAND ${EXPECT} 2 "disk image '.*odd_disk.img' is [0-9]+ bytes, not a whole number of 512-byte sectors"
         ${BT86_EXE} run --disk ${ODD_DISK})
add_test(NAME cli.disk_empty COMMAND ${EXPECT} 2 "disk image '.*empty_disk.img' is empty"
         ${BT86_EXE} run --disk ${EMPTY_DISK})
add_test(NAME cli.disk_directory COMMAND ${EXPECT} 2 "disk image '/' is not a regular file"
         ${BT86_EXE} run --disk /)
set(ODD_ISO ${CMAKE_CURRENT_BINARY_DIR}/odd_cdrom.iso)
file(WRITE ${ODD_ISO} "an ISO image holds whole 2048-byte sectors\n")
add_test(NAME cli.cdrom_odd_size COMMAND ${EXPECT} 2 "CD-ROM image '.*odd_cdrom.iso' is [0-9]+ bytes, not a whole number of 2048-byte sectors"
         ${BT86_EXE} run --cdrom ${ODD_ISO})
add_test(NAME cli.snapshot_without_disk COMMAND ${EXPECT} 2 "--snapshot needs --disk FILE"
         ${BT86_EXE} run --kernel x --snapshot)
add_test(NAME cli.boot_bad COMMAND ${EXPECT} 2 "--boot x: expected c \\(the disk\\) or d \\(the CD-ROM\\)"
         ${BT86_EXE} run --disk x --boot x)
add_test(NAME cli.disk_kvm_refused COMMAND ${EXPECT} 2 "--disk and --cdrom boot through SeaBIOS, which runs on the bt backend only"
         ${BT86_EXE} run --disk ${ODD_DISK} --backend kvm)
set_tests_properties(cli.disk_missing cli.disk_odd_size cli.disk_empty cli.disk_directory cli.cdrom_odd_size
                     cli.snapshot_without_disk cli.boot_bad cli.disk_kvm_refused PROPERTIES LABELS cli)
