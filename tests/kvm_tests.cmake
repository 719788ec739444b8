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
set(BT86_KVM_GATE ${CMAKE_CURRENT_BINARY_DIR}/kvm_gate.sh)
file(WRITE ${BT86_KVM_GATE} [=[#!/bin/sh
# kvm_gate.sh BT86 NEEDS CMD...: runs CMD where `BT86 kvm-probe` reports every
# probe named in NEEDS (comma-separated; "-" for none) ok, else exits 77.
bt86=$1 needs=$2
shift 2
probe=$("$bt86" kvm-probe 2>&1)
if [ $? -ne 0 ]; then
    echo "SKIPPED: KVM is not usable here: $probe"
    exit 77
fi
for need in $(echo "$needs" | tr ',' ' '); do
    [ "$need" = - ] && continue
    line=$(printf '%s\n' "$probe" | grep -E "^  $need ")
    case "$line" in
        *" ok") ;;
        *) echo "SKIPPED: this KVM cannot run what the test needs:"
           echo "${line:-  $need: no such probe}"
           exit 77 ;;
    esac
done
exec "$@"
]=])

function(bt86_kvm_test name needs)
  add_test(NAME kvm.${name} COMMAND sh ${BT86_KVM_GATE} ${BT86_EXE} ${needs} ${ARGN})
  set_tests_properties(kvm.${name} PROPERTIES LABELS kvm SKIP_RETURN_CODE ${BT86_KVM_SKIP} TIMEOUT 300)
endfunction()

# The probe itself: passes wherever KVM is usable, whatever it can run.
bt86_kvm_test(probe - ${CMAKE_CURRENT_LIST_DIR}/expect_run.sh 0 "^KVM: usable" ${BT86_EXE} kvm-probe)

set(run_guest sh ${CMAKE_CURRENT_LIST_DIR}/run_guest.sh)
set(vs_native sh ${CMAKE_CURRENT_LIST_DIR}/compare_native.sh)
bt86_kvm_test(guest.hello protected-32 ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/hello.elf 1 --backend kvm)
bt86_kvm_test(guest.integer protected-32,daa
  ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/integer.elf 1 --backend kvm)
bt86_kvm_test(guest.integer.vs-native protected-32,daa
  ${vs_native} ${BT86_EXE} ${BT86_GUEST_DIR}/integer.elf ${BT86_GUEST_DIR}/native/integer-native --backend kvm)
bt86_kvm_test(guest.fpu_sse protected-32,ldmxcsr
  ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/fpu_sse.elf 1 --backend kvm)
bt86_kvm_test(guest.fpu_sse.vs-native protected-32,ldmxcsr
  ${vs_native} ${BT86_EXE} ${BT86_GUEST_DIR}/fpu_sse.elf ${BT86_GUEST_DIR}/native/fpu_sse-native --backend kvm)
bt86_kvm_test(guest.smc protected-32 ${run_guest} ${BT86_EXE} ${BT86_GUEST_DIR}/smc.elf 1 --backend kvm)
# ud2 with no IDT: a triple fault on KVM, reported naming ud2 and its address.
bt86_kvm_test(guest.ud protected-32
  ${run_guest} --expect-fault ud2 ${BT86_EXE} ${BT86_GUEST_DIR}/ud.elf 2 --backend kvm)

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
