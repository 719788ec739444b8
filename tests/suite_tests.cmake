# bt86 suite, the regression runner (label suite). Included from
# tests/CMakeLists.txt, which provides BT86_EXE; kernels come from
# BT86_GUEST_DIR. bt86's own kernels form the suite tests/suite/kernels.toml.in
# (configured with their paths): two of them fail on purpose.

set(suite_src ${CMAKE_CURRENT_LIST_DIR}/suite)
set(suite_build ${CMAKE_CURRENT_BINARY_DIR}/suite)
set(suite_manifest ${suite_build}/kernels.toml)
configure_file(${suite_src}/kernels.toml.in ${suite_manifest} @ONLY)

function(bt86_suite_test name)
  add_test(NAME suite.${name} COMMAND bash ${ARGN})
  set_tests_properties(suite.${name} PROPERTIES LABELS suite TIMEOUT 300 SKIP_RETURN_CODE 77)
endfunction()

# Verdicts, the summary, the exit status, failure directories, TAP; its
# JUnit file is validated against tests/suite/junit.xsd by xmllint.
bt86_suite_test(kernels ${suite_src}/suite_run.sh ${BT86_EXE} ${suite_manifest} ${suite_build}/kernels)
set_tests_properties(suite.kernels PROPERTIES FIXTURES_SETUP suite_junit)
bt86_suite_test(junit-schema ${suite_src}/junit_schema.sh ${suite_src}/junit.xsd ${suite_build}/kernels/junit.xml)
set_tests_properties(suite.junit-schema PROPERTIES FIXTURES_REQUIRED suite_junit)
# --shard K/N, --filter, --list.
bt86_suite_test(shards ${suite_src}/suite_shards.sh ${BT86_EXE} ${suite_manifest} ${suite_build}/shards)
# A broken guest kernel's failure directory.
bt86_suite_test(broken-guest ${suite_src}/suite_broken.sh ${BT86_EXE} ${suite_manifest} ${suite_build}/broken)
# --backend bt,kvm: verdicts side by side, KVM gated by its probes.
bt86_suite_test(kvm ${suite_src}/suite_kvm.sh ${BT86_EXE} ${suite_manifest} ${suite_build}/kvm)
# kvm-unit-tests through --kut, on the build of the kut fixture (label kut,
# tests/kut_tests.cmake) where this tree has one.
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/kut_tests.cmake)
  bt86_suite_test(kut ${suite_src}/suite_kut.sh ${BT86_EXE} ${CMAKE_BINARY_DIR}/kut/src ${suite_build}/kut)
  set_tests_properties(suite.kut PROPERTIES FIXTURES_REQUIRED kut)
else()
  bt86_suite_test(kut -c "echo 'SKIPPED: this tree does not build kvm-unit-tests yet (the kut fixture, tests/kut_tests.cmake)' && exit 77")
endif()

# Bad input: exit status 2 and a message naming what is wrong.
set(EXPECT ${CMAKE_CURRENT_LIST_DIR}/expect_run.sh)
file(WRITE ${suite_build}/typo.toml "[hello]\nkernel = \"${BT86_GUEST_DIR}/hello.elf\"\ntimout = 5\n")
file(WRITE ${suite_build}/again.toml "[hello]\nkernel = \"${BT86_GUEST_DIR}/hello.elf\"\n")
file(WRITE ${suite_build}/foreign/keep.txt "not bt86 suite's\n")
add_test(NAME suite.help COMMAND ${EXPECT} 0 "usage: bt86 suite" ${BT86_EXE} suite --help)
add_test(NAME suite.no_guests COMMAND ${EXPECT} 2 "no guests: name a manifest" ${BT86_EXE} suite)
add_test(NAME suite.unknown_key COMMAND ${EXPECT} 2 "typo.toml:3: timout: unknown key"
         ${BT86_EXE} suite --list ${suite_build}/typo.toml)
add_test(NAME suite.same_name_twice COMMAND ${EXPECT} 2 "a guest named 'hello' is already defined at .*kernels.toml:"
         ${BT86_EXE} suite --list ${suite_manifest} ${suite_build}/again.toml)
add_test(NAME suite.foreign_out COMMAND ${EXPECT} 2 "the directory is not empty and not one of bt86 suite's"
         ${BT86_EXE} suite --out ${suite_build}/foreign ${suite_build}/again.toml)
set_tests_properties(suite.help suite.no_guests suite.unknown_key suite.same_name_twice suite.foreign_out
                     PROPERTIES LABELS suite)
# A guest whose kernel is missing fails (bt86's own message says why); the
# others still run.
file(WRITE ${suite_build}/missing.toml "exit_status = 1\n[gone]\nkernel = \"/nonexistent/k.elf\"\n[again]\nkernel = \"${BT86_GUEST_DIR}/hello.elf\"\n")
add_test(NAME suite.missing_kernel COMMAND ${EXPECT} 1 "FAIL gone: cannot open kernel '/nonexistent/k.elf'.*\\(exit status 2, expected 1\\)"
         ${BT86_EXE} suite -j1 --out ${suite_build}/missing ${suite_build}/missing.toml)
# The runner's own guard: a bt86 (here a stand-in that only sleeps) still
# running 5 s past the guest's timeout is killed, with what it started.
file(WRITE ${suite_build}/sleeper.sh "#!/bin/sh\nsleep 300 &\nsleep 300\n")
file(CHMOD ${suite_build}/sleeper.sh PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
file(WRITE ${suite_build}/sleeper.toml "[sleeps]\nkernel = \"unused.elf\"\ntimeout = 1\n")
add_test(NAME suite.killed_past_timeout COMMAND ${EXPECT} 1
         "FAIL sleeps: bt86 did not stop at its timeout of 1 s: killed 5 s later"
         ${BT86_EXE} suite --bt86 ${suite_build}/sleeper.sh --out ${suite_build}/sleeper ${suite_build}/sleeper.toml)
set_tests_properties(suite.missing_kernel suite.killed_past_timeout PROPERTIES LABELS suite TIMEOUT 60)
