# Test kernels run by bt86 (see guests/). Included from tests/CMakeLists.txt,
# which provides BT86_EXE (the bt86 executable, may be a generator
# expression) and BT86_GUEST_DIR (where the kernels and native twins are).

if(NOT DEFINED BT86_GUEST_DIR)
  set(BT86_GUEST_DIR ${CMAKE_BINARY_DIR}/guests)
endif()

set(BT86_RUN_GUEST ${CMAKE_CURRENT_LIST_DIR}/run_guest.sh)
set(BT86_COMPARE_NATIVE ${CMAKE_CURRENT_LIST_DIR}/compare_native.sh)

# guest.<name>: the kernel ends with `status` (1 = its own PASS).
function(bt86_guest_test name status)
  add_test(NAME guest.${name}
    COMMAND sh ${BT86_RUN_GUEST} ${ARGN} ${BT86_EXE} ${BT86_GUEST_DIR}/${name}.elf ${status})
  set_tests_properties(guest.${name} PROPERTIES LABELS guest TIMEOUT 180)
endfunction()

# guest.<name>.vs-native: same result lines as the native twin.
function(bt86_guest_vs_native name)
  add_test(NAME guest.${name}.vs-native
    COMMAND sh ${BT86_COMPARE_NATIVE} ${BT86_EXE} ${BT86_GUEST_DIR}/${name}.elf
            ${BT86_GUEST_DIR}/native/${name}-native)
  set_tests_properties(guest.${name}.vs-native PROPERTIES LABELS guest TIMEOUT 300)
endfunction()

bt86_guest_test(hello 1)
bt86_guest_test(integer 1)
bt86_guest_vs_native(integer)
bt86_guest_test(fpu_sse 1)
bt86_guest_vs_native(fpu_sse)
bt86_guest_test(smc 1)
# A kernel in GNU ld's default layout, alone and with two Multiboot modules
# (--initrd "FILE ARGS,FILE ARGS"), which it checks against its command line.
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/module_alpha.txt "bt86 module alpha\n")
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/module_beta.txt "bt86 module beta\n")
bt86_guest_test(mb_layout 1)
add_test(NAME guest.mb_layout.modules COMMAND sh ${BT86_RUN_GUEST} ${BT86_EXE} ${BT86_GUEST_DIR}/mb_layout.elf 1
  --append modules=2
  --initrd "${CMAKE_CURRENT_BINARY_DIR}/module_alpha.txt x=1 alpha,${CMAKE_CURRENT_BINARY_DIR}/module_beta.txt beta")
set_tests_properties(guest.mb_layout.modules PROPERTIES LABELS guest TIMEOUT 60)
# ud2 with no IDT: bt86 stops with status 2 and names the instruction.
bt86_guest_test(ud 2 --expect-fault ud2)
# Paging kernels (32-bit and PAE): PASS/FAIL lines of their own.
bt86_guest_test(paging_perm 1)
bt86_guest_test(paging_ad 1)
bt86_guest_test(paging_tlb 1)
# Every page of 256 MiB mapped apart: more host mappings than the budget.
bt86_guest_test(paging_scatter 1)
bt86_guest_test(paging_pae 1)
bt86_guest_test(paging_smc 1)
bt86_guest_test(paging_mmio 1)
# Instructions that keep faulting are translated again with their accesses
# redirected, and back once those settle: both turns must be taken, for
# the two probes and for nothing else (demand paging's load stays native).
add_test(NAME guest.paging_adaptive COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_stats.sh ${BT86_EXE} 1
  shadow.adaptive_promotions>=2 shadow.adaptive_promotions<=2 shadow.adaptive_demotions>=1
  -- --kernel ${BT86_GUEST_DIR}/paging_adaptive.elf --timeout 60)
set_tests_properties(guest.paging_adaptive PROPERTIES LABELS guest TIMEOUT 120)
# Open bus, a device (pc-testdev's window) and the 4 GiB wrap under every
# instruction form: PASS/FAIL lines of their own.
bt86_guest_test(openbus 1)
bt86_guest_test(openbus_paged 1)
bt86_guest_test(wrap4g 1)
bt86_guest_test(openbus_repeat 1)
# Segmentation and privilege kernels: PASS/FAIL lines of their own.
bt86_guest_test(seg_loads 1)
bt86_guest_test(seg_idt 1)
bt86_guest_test(priv_int 1)
bt86_guest_test(priv_callgate 1)
bt86_guest_test(priv_sysenter 1)
bt86_guest_test(priv_syscall 1)
bt86_guest_test(debug_breakpoints 1)
bt86_guest_test(dev_apic 1)
bt86_guest_test(apic_msrs 1)
bt86_guest_test(priv_taskgate 1)
bt86_guest_test(priv_aliasing 1)
bt86_guest_test(priv_iobitmap 1)
bt86_guest_test(priv_softint 1)
# 16-bit (286) interrupt, trap and call gates and TSSs.
bt86_guest_test(priv_286 1)
# Virtual-8086 mode: entry by iretd, the monitor's #GP, IOPL, I/O, exceptions.
bt86_guest_test(priv_v86 1)
bt86_guest_test(priv_iret 1)
# int n from ring 3 and iretd back on their fast path (2,000 round trips at
# least), and the cases that must leave it, checked by the guest.
add_test(NAME guest.priv_fastswitch COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_stats.sh ${BT86_EXE} 1
  fast_paths.to_kernel>=2000 fast_paths.iret>=2000
  -- --kernel ${BT86_GUEST_DIR}/priv_fastswitch.elf --timeout 60)
set_tests_properties(guest.priv_fastswitch PROPERTIES LABELS guest TIMEOUT 120)
bt86_guest_test(cpu_model 1)
bt86_guest_test(cpu_forms 1)
# PC device kernels (PIT, PIC, RTC, UART): PASS/FAIL lines of their own.
bt86_guest_test(dev_pit 1)
bt86_guest_test(dev_pic 1)
bt86_guest_test(dev_rtc 1)
bt86_guest_test(dev_uart 1)
bt86_guest_test(dev_irq 1)
# Linux's two TSC calibrations against PIT channel 2, cold as at boot; alone
# and up to 5 runs, since a host preempting bt86 for more than a PIT step
# (214 us) makes the fast way miss one (see tests/retry.sh).
add_test(NAME guest.dev_tsc COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/retry.sh 5
  sh ${BT86_RUN_GUEST} ${BT86_EXE} ${BT86_GUEST_DIR}/dev_tsc.elf 1)
set_tests_properties(guest.dev_tsc PROPERTIES LABELS guest TIMEOUT 300 RUN_SERIAL TRUE)
# Host side against hostile guests: the guest's AC/DF/FPU control state at
# every host entry point, string loops in C++ that must stop for interrupts.
bt86_guest_test(host_flags 1)
bt86_guest_test(string_irq 1)
# rep string loops run by engine C++ code with ECX = 0xFFFFFFFF: --timeout 2
# must end them with status 124 within 3 s.
foreach(loop insb outsb movs-to-mmio movs-from-mmio lods-mmio stos-mmio)
  add_test(NAME guest.endless_rep.${loop} COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/expect_timeout.sh 2
    ${BT86_EXE} run --kernel ${BT86_GUEST_DIR}/endless_rep.elf --append ${loop} --timeout 2)
  set_tests_properties(guest.endless_rep.${loop} PROPERTIES LABELS guest TIMEOUT 60)
endforeach()
# i8042 reset: bt86 ends the run with status 0 and its reset message.
add_test(NAME guest.dev_reset COMMAND ${CMAKE_CURRENT_LIST_DIR}/expect_run.sh 0
  "the guest reset the machine" ${BT86_EXE} run --kernel ${BT86_GUEST_DIR}/dev_reset.elf
  --timeout 30)
set_tests_properties(guest.dev_reset PROPERTIES LABELS guest)
# --on-reset restart: the same kernel boots again after each reset.
add_test(NAME guest.dev_reset.restart COMMAND ${CMAKE_CURRENT_LIST_DIR}/restart_on_reset.sh
  ${BT86_EXE} ${BT86_GUEST_DIR}/dev_reset.elf)
set_tests_properties(guest.dev_reset.restart PROPERTIES LABELS guest TIMEOUT 60)

# --clock virtual: time advances with guest work only, so two runs of the
# timer-driven guests print exactly the same bytes.
foreach(name dev_pit dev_rtc)
  add_test(NAME guest.${name}.virtual-clock-repeatable
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/same_twice.sh ${BT86_EXE} ${BT86_GUEST_DIR}/${name}.elf)
  set_tests_properties(guest.${name}.virtual-clock-repeatable PROPERTIES LABELS guest TIMEOUT 300)
endforeach()
# 16-bit code: the kernel on bt86 against its native twin (modify_ldt).
bt86_guest_test(code16 1)
bt86_guest_vs_native(code16)

# guest.vga_text: text with attributes at 0xB8000, the cursor through the
# CRTC and a font load in between; the screen dump must be the expected one,
# and the 2000 cells written in text mode plain memory, not device accesses
# (only the font load's ~80 are).
add_test(NAME guest.vga_text COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/vga_screen.sh ${BT86_EXE} 1
         --same ${CMAKE_CURRENT_LIST_DIR}/../guests/vga_text/expected_screen.txt --max-mmio 200
         -- --kernel ${BT86_GUEST_DIR}/vga_text.elf --vga std --timeout 60)
set_tests_properties(guest.vga_text PROPERTIES LABELS guest TIMEOUT 180)

# guest.vga_keys: keys typed on a pseudo-terminal with --display terminal
# reach the guest as PS/2 scancodes, translated to set 1 by the i8042.
add_test(NAME guest.vga_keys COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/vga_screen.sh ${BT86_EXE} 1
         --type "aB\\033[A" --has "keys: 1E 9E 2A 30 B0 AA E0 48 E0 C8"
         -- --kernel ${BT86_GUEST_DIR}/vga_keys.elf --vga std --timeout 30)
set_tests_properties(guest.vga_keys PROPERTIES LABELS guest TIMEOUT 180 SKIP_RETURN_CODE 77)
