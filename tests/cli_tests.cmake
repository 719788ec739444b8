# The CLI's contract: clear errors with exit status 2 for bad input, the
# statistics file, and the timeout.
set(EXPECT ${CMAKE_CURRENT_SOURCE_DIR}/expect_run.sh)
set(GARBAGE ${CMAKE_CURRENT_BINARY_DIR}/garbage.bin)
file(WRITE ${GARBAGE} "this is not a kernel, just text that goes on and on\n")

add_test(NAME cli.no_arguments COMMAND ${EXPECT} 2 "usage: bt86 run" ${BT86_EXE})
add_test(NAME cli.unknown_option COMMAND ${EXPECT} 2 "unknown option '--frobnicate'"
         ${BT86_EXE} run --kernel x --frobnicate)
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
set_tests_properties(cli.timeout cli.halt_forever PROPERTIES LABELS cli TIMEOUT 60)
