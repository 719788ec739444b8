# The CLI's contract: clear errors with exit status 2 for bad input, the
# statistics file, and the timeout.
set(EXPECT ${CMAKE_CURRENT_SOURCE_DIR}/expect_run.sh)
set(GARBAGE ${CMAKE_CURRENT_BINARY_DIR}/garbage.bin)
file(WRITE ${GARBAGE} "this is not a kernel, just text that goes on and on\n")

add_test(NAME cli.no_arguments COMMAND ${EXPECT} 2 "usage: bt86 run" ${BT86_EXE})
add_test(NAME cli.unknown_option COMMAND ${EXPECT} 2 "unknown option '--frobnicate'"
         ${BT86_EXE} run --kernel x --frobnicate)
# --help, -h and --version print to stdout and exit 0; an unknown option
# exits 2 and shows the usage.
add_test(NAME cli.help COMMAND ${EXPECT} 0 "usage: bt86 run" ${BT86_EXE} --help)
add_test(NAME cli.h COMMAND ${EXPECT} 0 "usage: bt86 run" ${BT86_EXE} -h)
add_test(NAME cli.run_help COMMAND ${EXPECT} 0 "--kernel FILE .*kernel to boot" ${BT86_EXE} run --help)
add_test(NAME cli.run_h COMMAND ${EXPECT} 0 "usage: bt86 run" ${BT86_EXE} run --kernel x -h)
add_test(NAME cli.kvm_probe_help COMMAND ${EXPECT} 0 "bt86 kvm-probe \\[--needs" ${BT86_EXE} kvm-probe --help)
add_test(NAME cli.version COMMAND ${EXPECT} 0 "^bt86 [0-9]+\\.[0-9]+" ${BT86_EXE} --version)
add_test(NAME cli.unknown_option_usage COMMAND ${EXPECT} 2 "^usage: bt86 run"
         ${BT86_EXE} run --frobnicate --kernel x)
set_tests_properties(cli.help cli.h cli.run_help cli.run_h cli.kvm_probe_help cli.version cli.unknown_option_usage
                     PROPERTIES LABELS cli)
add_test(NAME cli.bad_clock COMMAND ${EXPECT} 2 "--clock sundial: expected host, wall or virtual"
         ${BT86_EXE} run --kernel x --clock sundial)
set_tests_properties(cli.bad_clock PROPERTIES LABELS cli)
add_test(NAME cli.bad_memory COMMAND ${EXPECT} 2 "--memory 1T"
         ${BT86_EXE} run --kernel x --memory 1T)
add_test(NAME cli.missing_kernel COMMAND ${EXPECT} 2 "cannot open kernel '/nonexistent/k.elf'"
         ${BT86_EXE} run --kernel /nonexistent/k.elf)
add_test(NAME cli.garbage_kernel COMMAND ${EXPECT} 2 "is not a Multiboot kernel"
         ${BT86_EXE} run --kernel ${GARBAGE})
add_test(NAME cli.stats_json COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_stats.sh ${BT86_EXE}
         ${BT86_GUEST_DIR}/hello.elf)
set_tests_properties(cli.no_arguments cli.unknown_option cli.bad_memory cli.missing_kernel
                     cli.garbage_kernel cli.stats_json PROPERTIES LABELS cli)

# The engine's own ways of ending a run that the guest does not end.
add_test(NAME cli.timeout COMMAND ${EXPECT} 124 "timeout after 1 s"
         ${BT86_EXE} run --kernel ${BT86_GUEST_DIR}/stuck.elf --timeout 1)
add_test(NAME cli.halt_forever COMMAND ${EXPECT} 0 "guest halted with interrupts disabled at EIP=0x"
         ${BT86_EXE} run --kernel ${BT86_GUEST_DIR}/stuck.elf --append halt --timeout 30)
# An idle guest (sti; hlt with everything masked) must cost ~0 % host CPU.
add_test(NAME cli.idle_cpu COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/idle_cpu.sh ${BT86_EXE}
         ${BT86_GUEST_DIR}/stuck.elf 5)
set_tests_properties(cli.timeout cli.halt_forever cli.idle_cpu PROPERTIES LABELS cli TIMEOUT 60)

# --switch-every and --passthrough: bad values and the host's refusals.
add_test(NAME cli.switch_every_bad COMMAND ${EXPECT} 2 "--switch-every 5s: expected a number of guest instructions"
         ${BT86_EXE} run --kernel x --switch-every 5s)
add_test(NAME cli.switch_every_zero COMMAND ${EXPECT} 2 "--switch-every 0: expected"
         ${BT86_EXE} run --kernel x --switch-every 0)
add_test(NAME cli.passthrough_needs_kvm COMMAND ${EXPECT} 2 "--passthrough needs --backend kvm"
         ${BT86_EXE} run --kernel x --passthrough 0000:00:01.0)
add_test(NAME cli.passthrough_bad_address COMMAND ${EXPECT} 2 "'eth0' is not a PCI address"
         ${BT86_EXE} run --backend kvm --kernel ${BT86_GUEST_DIR}/hello.elf --passthrough eth0)
add_test(NAME cli.passthrough_no_device COMMAND ${EXPECT} 2 "no PCI device 0000:ff:1f.7 on this host"
         ${BT86_EXE} run --backend kvm --kernel ${BT86_GUEST_DIR}/hello.elf --passthrough 0000:ff:1f.7)
add_test(NAME cli.passthrough_refused COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/passthrough_refused.sh
         ${BT86_EXE} ${BT86_GUEST_DIR}/hello.elf)
set_tests_properties(cli.switch_every_bad cli.switch_every_zero cli.passthrough_needs_kvm
                     cli.passthrough_bad_address cli.passthrough_no_device cli.passthrough_refused
                     PROPERTIES LABELS cli)
set_tests_properties(cli.passthrough_refused PROPERTIES SKIP_RETURN_CODE 77)

# --bios: firmware images. A ROM built here boots from the reset vector and
# checks real mode (guests/realmode_rom); bad images are refused (status 2)
# before anything runs.
add_test(NAME cli.bios_rom COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/rom_boot.sh ${BT86_EXE}
         ${BT86_GUEST_DIR}/realmode_rom.bin)
set(ODD_ROM ${CMAKE_CURRENT_BINARY_DIR}/odd_rom.bin)
file(WRITE ${ODD_ROM} "a firmware image must be 64, 128, 192 or 256 KiB; this one is a few bytes\n")
add_test(NAME cli.bios_missing COMMAND ${EXPECT} 2 "cannot open BIOS image '/nonexistent/bios.bin'"
         ${BT86_EXE} run --bios /nonexistent/bios.bin)
add_test(NAME cli.bios_odd_size COMMAND ${EXPECT} 2 "BIOS image '.*odd_rom.bin' is [0-9]+ bytes: it must be 64, 128, 192 or 256 KiB"
         ${BT86_EXE} run --bios ${ODD_ROM})
add_test(NAME cli.bios_and_kernel COMMAND ${EXPECT} 2 "--kernel and --bios exclude each other"
         ${BT86_EXE} run --bios ${ODD_ROM} --kernel x)
add_test(NAME cli.bios_debugcon_unwritable COMMAND ${EXPECT} 2 "--debugcon /nonexistent/dir/con: No such file"
         ${BT86_EXE} run --bios ${BT86_GUEST_DIR}/realmode_rom.bin --debugcon /nonexistent/dir/con)
# ud2 in real mode with no IVT entry for #UD: named with its CS:IP and the mode.
add_test(NAME cli.bios_real_mode_ud COMMAND ${EXPECT} 2
         "undefined instruction \\(0f 0b\\) 'ud2' at CS:EIP=f000:0x00000006 in real mode, and the guest has no IVT"
         ${BT86_EXE} run --bios ${BT86_GUEST_DIR}/ud_rom.bin --timeout 30)
# Code in BIOS-area pages that PAM routes read-only (reads RAM, writes go
# to the bus) is RAM to fetch: the ROM's loop there is translated once, not
# once per instruction run (it would be some 6,000 one-instruction blocks).
add_test(NAME cli.bios_rom_read_only_code COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_stats.sh ${BT86_EXE} 1
  blocks_translated<=1000 -- --bios ${BT86_GUEST_DIR}/realmode_rom.bin --timeout 60)
set_tests_properties(cli.bios_rom_read_only_code PROPERTIES LABELS cli)
set_tests_properties(cli.bios_rom cli.bios_missing cli.bios_odd_size cli.bios_and_kernel cli.bios_debugcon_unwritable
                     cli.bios_real_mode_ud PROPERTIES LABELS cli)
# Debian's SeaBIOS with the VGA (the default with --bios): SeaVGABIOS runs
# from fw_cfg's "vgaroms/", and SeaBIOS's banner shows on the VGA's text
# screen (the dump at the timeout) and, through sercon, on COM1.
add_test(NAME cli.seabios_vga_banner COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/vga_screen.sh ${BT86_EXE} 124
         --needs /usr/share/seabios/bios.bin --needs /usr/share/seabios/vgabios-isavga.bin
         --has "SeaBIOS (version" --serial-has "SeaBIOS (version"
         -- --bios /usr/share/seabios/bios.bin --timeout 10)
set_tests_properties(cli.seabios_vga_banner PROPERTIES LABELS cli SKIP_RETURN_CODE 77 TIMEOUT 120)
add_test(NAME cli.vga_options_refused COMMAND ${EXPECT} 2 "--display terminal needs a VGA"
         ${BT86_EXE} run --kernel ${BT86_GUEST_DIR}/hello.elf --display terminal)
add_test(NAME cli.vga_bad_value COMMAND ${EXPECT} 2 "--vga cga: expected 'none' or 'std'"
         ${BT86_EXE} run --kernel ${BT86_GUEST_DIR}/hello.elf --vga cga)
set_tests_properties(cli.vga_options_refused cli.vga_bad_value PROPERTIES LABELS cli)
