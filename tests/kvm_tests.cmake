# The KVM backend on the test kernels (label "kvm"). Included from
# tests/CMakeLists.txt, which provides BT86_EXE; kernels come from
# BT86_GUEST_DIR. Every test first asks `bt86 kvm-probe` whether this host's
# KVM can run what the test needs and is skipped (exit 77, with the reason
# printed) where /dev/kvm is absent or refuses, or where the probe says a
# needed mode or instruction fails (nested KVMs run only part of the machine).

if(NOT DEFINED BT86_GUEST_DIR)
  set(BT86_GUEST_DIR ${CMAKE_BINARY_DIR}/guests)
endif()

set(BT86_KVM_SKIP 77)
set(BT86_KVM_GATE ${CMAKE_CURRENT_LIST_DIR}/kvm_gate.sh)

# Tests of the backend's plumbing (exits, timeouts, statistics): they need
# only the probes named, whatever KVM's instruction semantics.
function(bt86_kvm_test name needs)
  add_test(NAME kvm.${name} COMMAND sh ${BT86_KVM_GATE} ${BT86_EXE} ${needs} ${ARGN})
  set_tests_properties(kvm.${name} PROPERTIES LABELS kvm SKIP_RETURN_CODE ${BT86_KVM_SKIP} TIMEOUT 300)
endfunction()
# Tests whose verdict rests on KVM's instruction semantics (guest kernels
# checking their own results, comparisons with the CPU or with bt86): where
# KVM emulates guest code, their failures are its emulator's (kvm_gate.sh
# --oracle). Kernels that read CPUID also need KVM to answer what bt86 does.
function(bt86_kvm_guest_test name needs)
  bt86_kvm_test(${name} ${needs} --oracle ${ARGN})
endfunction()

# The probe itself: passes wherever KVM is usable, whatever it can run.
bt86_kvm_test(probe - ${CMAKE_CURRENT_LIST_DIR}/expect_run.sh 0 "^KVM: usable" ${BT86_EXE} kvm-probe)

# --trace on KVM: its exits and port I/O, with EIP and CPL.
bt86_kvm_test(trace.hello protected-32 ${CMAKE_CURRENT_LIST_DIR}/expect_run.sh 1
  "eip=0x[0-9a-f]{8} cpl=0 io port write 0x3f8 size=1 value=0x48"
  ${BT86_EXE} run --kernel ${BT86_GUEST_DIR}/hello.elf --backend kvm --trace io,exit --timeout 30)

set(run_guest sh ${CMAKE_CURRENT_LIST_DIR}/run_guest.sh)
set(vs_native sh ${CMAKE_CURRENT_LIST_DIR}/compare_native.sh)
bt86_kvm_guest_test(guest.hello protected-32 ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/hello.elf 1 --backend kvm)
bt86_kvm_guest_test(guest.integer protected-32,daa
  ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/integer.elf 1 --backend kvm)
bt86_kvm_guest_test(guest.integer.vs-native protected-32,daa
  ${vs_native} ${BT86_EXE} ${BT86_GUEST_DIR}/integer.elf ${BT86_GUEST_DIR}/native/integer-native --backend kvm)
bt86_kvm_guest_test(guest.fpu_sse protected-32,ldmxcsr,cpuid
  ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/fpu_sse.elf 1 --backend kvm)
bt86_kvm_guest_test(guest.fpu_sse.vs-native protected-32,ldmxcsr,cpuid
  ${vs_native} ${BT86_EXE} ${BT86_GUEST_DIR}/fpu_sse.elf ${BT86_GUEST_DIR}/native/fpu_sse-native --backend kvm)
bt86_kvm_guest_test(guest.smc protected-32 ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/smc.elf 1 --backend kvm)
# Kernels whose interrupt or exception handlers return with iretd, and the
# paging kernels, where this KVM has what they need (bare-metal VT-x does).
foreach(name paging_perm paging_ad paging_tlb paging_smc paging_mmio)
  bt86_kvm_guest_test(guest.${name} protected-32,paging-32,iretd,cpuid
    ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/${name}.elf 1 --backend kvm)
endforeach()
bt86_kvm_guest_test(guest.paging_pae protected-32,paging-pae,iretd,cpuid
  ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/paging_pae.elf 1 --backend kvm)
foreach(name priv_int priv_callgate priv_taskgate priv_aliasing priv_iobitmap priv_softint priv_iret priv_fastswitch priv_286
             priv_v86
             dev_pit dev_pic dev_rtc dev_uart)
  bt86_kvm_guest_test(guest.${name} protected-32,iretd
    ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/${name}.elf 1 --backend kvm)
endforeach()
# 16-bit operand forms, maskmov (SSE), high bytes into ESP. (cpu_model is
# bt86's alone: KVM cannot make the host's own extensions #UD.)
bt86_kvm_guest_test(guest.cpu_forms protected-32,iretd,ldmxcsr
  ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/cpu_forms.elf 1 --backend kvm)
bt86_kvm_guest_test(guest.priv_sysenter protected-32,iretd,cpuid
  ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/priv_sysenter.elf 1 --backend kvm)
bt86_kvm_guest_test(guest.dev_reset protected-32,iretd ${CMAKE_CURRENT_LIST_DIR}/expect_run.sh 0
  "the guest reset the machine" ${BT86_EXE} run --backend kvm --kernel ${BT86_GUEST_DIR}/dev_reset.elf --timeout 30)
# PIT interrupts injected from the shared PIC; handlers without iretd.
bt86_kvm_guest_test(guest.dev_irq protected-32
  ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/dev_irq.elf 1 --backend kvm)
bt86_kvm_guest_test(guest.apic_msrs protected-32
  ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/apic_msrs.elf 1 --backend kvm)
# ud2 with no IDT: a triple fault on KVM, reported naming ud2 and its address.
bt86_kvm_guest_test(guest.ud protected-32
  ${run_guest} --expect-fault ud2 ${BT86_EXE} ${BT86_GUEST_DIR}/ud.elf 2 --backend kvm)

# The host-side kernels (see guest_tests.cmake), where this KVM runs them.
bt86_kvm_test(guest.host_flags protected-32,iretd,ldmxcsr
  ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/host_flags.elf 1 --backend kvm)
bt86_kvm_test(guest.string_irq protected-32,iretd
  ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/string_irq.elf 1 --backend kvm)
# rep string loops with ECX = 0xFFFFFFFF: KVM comes back to the run loop
# after at most a page of string I/O or one MMIO element, so --timeout ends them.
foreach(loop insb outsb movs-to-mmio movs-from-mmio lods-mmio stos-mmio)
  bt86_kvm_test(guest.endless_rep.${loop} protected-32 sh ${CMAKE_CURRENT_LIST_DIR}/expect_timeout.sh 2
    ${BT86_EXE} run --backend kvm --kernel ${BT86_GUEST_DIR}/endless_rep.elf --append ${loop} --timeout 2)
endforeach()

# The run's endings the guest does not choose: --timeout and a final hlt.
bt86_kvm_test(timeout protected-32 ${CMAKE_CURRENT_LIST_DIR}/expect_run.sh 124 "timeout after 1 s"
  ${BT86_EXE} run --backend kvm --kernel ${BT86_GUEST_DIR}/stuck.elf --timeout 1)
bt86_kvm_test(halt_forever protected-32 ${CMAKE_CURRENT_LIST_DIR}/expect_run.sh 0
  "guest halted with interrupts disabled at EIP=0x"
  ${BT86_EXE} run --backend kvm --kernel ${BT86_GUEST_DIR}/stuck.elf --append halt --timeout 30)

# --stats has the BT backend's schema: exits by reason, translation counters 0.
# ($<SEMICOLON>: a plain ';' would split the argument list.)
bt86_kvm_test(stats_json protected-32 ${CMAKE_CURRENT_LIST_DIR}/expect_run.sh 0
  "\"backend\": \"kvm\".*\"blocks_translated\": 0.*\"exits\": \\{[^}]*\"io\": [1-9]"
  sh -c "\"$0\" run --backend kvm --kernel \"$1\" --stats \"$2\" >/dev/null 2>&1$<SEMICOLON> tr '\\n' ' ' <\"$2\""
  ${BT86_EXE} ${BT86_GUEST_DIR}/hello.elf ${CMAKE_CURRENT_BINARY_DIR}/kvm_stats.json)

# --stats: the same top-level keys on bt86, on KVM and switched.
bt86_kvm_test(stats_same_keys protected-32
  sh ${CMAKE_CURRENT_LIST_DIR}/stats_keys.sh ${BT86_EXE} ${BT86_GUEST_DIR}/hello.elf)

# switch.<guest>: the kernel moves between bt86 and KVM while it runs and
# must still pass; bt86 must report at least MIN switches. Every kernel
# KVM can run is here, each gated on what it needs. hello, smc and ud are
# short (hundreds of blocks), so they switch at every block; ud dies early,
# hence its lower floor.
set(switch_guest sh ${CMAKE_CURRENT_LIST_DIR}/switch_guest.sh)
function(bt86_switch_test name needs)
  add_test(NAME switch.${name} COMMAND sh ${BT86_KVM_GATE} ${BT86_EXE} ${needs} --oracle ${switch_guest} ${ARGN})
  set_tests_properties(switch.${name} PROPERTIES LABELS "kvm;switch" SKIP_RETURN_CODE ${BT86_KVM_SKIP} TIMEOUT 300)
endfunction()
bt86_switch_test(hello protected-32 ${BT86_EXE} ${BT86_GUEST_DIR}/hello.elf 1 200 1)
bt86_switch_test(smc protected-32 ${BT86_EXE} ${BT86_GUEST_DIR}/smc.elf 1 200 1)
bt86_switch_test(ud protected-32 --expect-fault ud2 ${BT86_EXE} ${BT86_GUEST_DIR}/ud.elf 2 30 1)
bt86_switch_test(dev_irq protected-32 ${BT86_EXE} ${BT86_GUEST_DIR}/dev_irq.elf 1 300 1000)
bt86_switch_test(dev_irq.ms protected-32 ${BT86_EXE} ${BT86_GUEST_DIR}/dev_irq.elf 1 100 0.2ms)
# The local APIC and its MSRs stay with the machine while the CPU moves.
bt86_switch_test(apic_msrs protected-32 ${BT86_EXE} ${BT86_GUEST_DIR}/apic_msrs.elf 1 20 0.2ms)
bt86_switch_test(integer protected-32,daa ${BT86_EXE} ${BT86_GUEST_DIR}/integer.elf 1 200 20000)
bt86_switch_test(fpu_sse protected-32,ldmxcsr,cpuid ${BT86_EXE} ${BT86_GUEST_DIR}/fpu_sse.elf 1 200 20000)
foreach(name paging_perm paging_ad paging_tlb paging_smc paging_mmio)
  bt86_switch_test(${name} protected-32,paging-32,iretd,cpuid ${BT86_EXE} ${BT86_GUEST_DIR}/${name}.elf 1 100 200)
endforeach()
bt86_switch_test(paging_pae protected-32,paging-pae,iretd,cpuid ${BT86_EXE} ${BT86_GUEST_DIR}/paging_pae.elf 1 100 200)
foreach(name priv_int priv_callgate priv_taskgate priv_aliasing priv_iobitmap priv_286)
  bt86_switch_test(${name} protected-32,iretd ${BT86_EXE} ${BT86_GUEST_DIR}/${name}.elf 1 100 200)
endforeach()
bt86_switch_test(priv_sysenter protected-32,iretd,cpuid ${BT86_EXE} ${BT86_GUEST_DIR}/priv_sysenter.elf 1 100 200)
foreach(name dev_pit dev_pic dev_rtc dev_uart)
  bt86_switch_test(${name} protected-32,iretd ${BT86_EXE} ${BT86_GUEST_DIR}/${name}.elf 1 100 1ms)
endforeach()

# compare.<guest>: the same kernel on both backends ends with the same
# status and serial output (device kernels: the same verdicts, since they
# also print timing-dependent values).
set(compare sh ${CMAKE_CURRENT_LIST_DIR}/compare_backends.sh)
function(bt86_compare_test name needs mode)
  add_test(NAME compare.${name} COMMAND sh ${BT86_KVM_GATE} ${BT86_EXE} ${needs} --oracle ${compare} ${BT86_EXE}
           ${BT86_GUEST_DIR}/${name}.elf ${mode} ${ARGN})
  set_tests_properties(compare.${name} PROPERTIES LABELS "kvm;compare" SKIP_RETURN_CODE ${BT86_KVM_SKIP} TIMEOUT 300)
endfunction()
bt86_compare_test(hello protected-32 serial)
bt86_compare_test(smc protected-32 serial)
bt86_compare_test(ud protected-32 serial)
bt86_compare_test(dev_irq protected-32 verdicts)
bt86_compare_test(apic_msrs protected-32 serial)
bt86_compare_test(integer protected-32,daa serial)
bt86_compare_test(fpu_sse protected-32,ldmxcsr,cpuid serial)
foreach(name paging_perm paging_ad paging_tlb paging_smc paging_mmio)
  bt86_compare_test(${name} protected-32,paging-32,iretd,cpuid serial)
endforeach()
bt86_compare_test(paging_pae protected-32,paging-pae,iretd,cpuid serial)
foreach(name priv_int priv_callgate priv_taskgate priv_aliasing priv_iobitmap priv_286)
  bt86_compare_test(${name} protected-32,iretd serial)
endforeach()
bt86_compare_test(priv_sysenter protected-32,iretd,cpuid serial)
foreach(name dev_pit dev_pic dev_rtc dev_uart)
  bt86_compare_test(${name} protected-32,iretd verdicts)
endforeach()
bt86_compare_test(dev_reset protected-32,iretd serial)

# Firmware images (--bios) on KVM: the ROM at the top of 4 GiB and the BIOS
# area as memory slots that follow the PAM registers and the A20 gate
# (host/kvm/kvm_memory.cpp), the reset vector's CPU state. The whole test
# ROM needs iretd (it enters v86 mode with it); its subset
# (realmode_rom_subset.bin: no ud2, no v86) runs where KVM emulates real mode.
set(rom_boot sh ${CMAKE_CURRENT_LIST_DIR}/rom_boot.sh ${BT86_EXE})
bt86_kvm_guest_test(bios_rom real-mode,protected-32,iretd ${rom_boot} ${BT86_GUEST_DIR}/realmode_rom.bin --backend kvm)
bt86_kvm_test(bios_rom_subset real-mode,protected-32
  ${rom_boot} ${BT86_GUEST_DIR}/realmode_rom_subset.bin --backend kvm)
# ... moving between bt86 and KVM every 2 blocks / 0.2 ms while it runs.
set(rom_switch sh ${CMAKE_CURRENT_LIST_DIR}/rom_switch.sh ${BT86_EXE})
function(bt86_rom_switch_test name needs)
  add_test(NAME switch.${name} COMMAND sh ${BT86_KVM_GATE} ${BT86_EXE} ${needs} ${rom_switch} ${ARGN})
  set_tests_properties(switch.${name} PROPERTIES LABELS "kvm;switch" SKIP_RETURN_CODE ${BT86_KVM_SKIP} TIMEOUT 300)
endfunction()
bt86_rom_switch_test(realmode_rom real-mode,protected-32,iretd ${BT86_GUEST_DIR}/realmode_rom.bin 100 2)
bt86_rom_switch_test(realmode_rom_subset real-mode,protected-32 ${BT86_GUEST_DIR}/realmode_rom_subset.bin 100 2)
bt86_rom_switch_test(realmode_rom_subset.ms real-mode,protected-32 ${BT86_GUEST_DIR}/realmode_rom_subset.bin 10 0.2ms)
bt86_rom_switch_test(realmode_rom_subset.kvm_first real-mode,protected-32
  ${BT86_GUEST_DIR}/realmode_rom_subset.bin 100 2 --backend kvm)
# ... and the same ending and serial output on both (agreement, not an oracle).
function(bt86_compare_rom name needs)
  add_test(NAME compare.${name} COMMAND sh ${BT86_KVM_GATE} ${BT86_EXE} ${needs} --oracle ${compare} ${BT86_EXE}
           ${BT86_GUEST_DIR}/${name}.bin serial)
  set_tests_properties(compare.${name} PROPERTIES LABELS "kvm;compare" SKIP_RETURN_CODE ${BT86_KVM_SKIP} TIMEOUT 300)
endfunction()
bt86_compare_rom(realmode_rom real-mode,protected-32,iretd)
bt86_compare_rom(realmode_rom_subset real-mode,protected-32)
