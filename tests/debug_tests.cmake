# The tools for kernel developers (label "debug"): event tracing with the
# last interrupts of a dying guest, and the gdb stub under Debian's gdb.
# Included from tests/CMakeLists.txt, which provides BT86_EXE.

if(NOT DEFINED BT86_GUEST_DIR)
  set(BT86_GUEST_DIR ${CMAKE_BINARY_DIR}/guests)
endif()
set(BT86_EXPECT ${CMAKE_CURRENT_LIST_DIR}/expect_run.sh)

# A triple fault: the last interrupts before the state dump; --trace all:
# every event kind, well formed, in guest-time order.
add_test(NAME debug.trace.triple_fault
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/trace_check.sh ${BT86_EXE} ${BT86_GUEST_DIR}/triple_fault.elf)
# The trace goes to stderr without --trace-file; bad event names are refused.
add_test(NAME debug.trace.stderr COMMAND ${BT86_EXPECT} 1 "cpl=0 io port write 0x3f8 size=1 value=0x48"
  ${BT86_EXE} run --kernel ${BT86_GUEST_DIR}/hello.elf --trace io --timeout 30)
add_test(NAME debug.trace.bad_event COMMAND ${BT86_EXPECT} 2 "--trace: unknown event 'irq'"
  ${BT86_EXE} run --kernel x --trace int,irq)
add_test(NAME debug.trace.file_without_events COMMAND ${BT86_EXPECT} 2 "--trace-file needs --trace"
  ${BT86_EXE} run --kernel x --trace-file /dev/null)
# Debian's gdb against the stub (skipped where gdb is not installed).
add_test(NAME debug.gdb.session
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/gdb_session.sh ${BT86_EXE} ${BT86_GUEST_DIR}/gdb_target.elf)
set_tests_properties(debug.gdb.session PROPERTIES SKIP_RETURN_CODE 77)
# ... and in real mode, from the reset vector of the test ROM.
add_test(NAME debug.gdb.realmode
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/gdb_realmode.sh ${BT86_EXE} ${BT86_GUEST_DIR}/realmode_rom.bin)
set_tests_properties(debug.gdb.realmode PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME debug.gdb.bad_address COMMAND ${BT86_EXPECT} 2 "--gdb udp:1234: expected tcp::PORT"
  ${BT86_EXE} run --kernel x --gdb udp:1234)
add_test(NAME debug.gdb.wait_without_gdb COMMAND ${BT86_EXPECT} 2 "--wait-gdb \\(-S\\) needs --gdb"
  ${BT86_EXE} run --kernel x -S)
set_tests_properties(debug.trace.triple_fault debug.trace.stderr debug.trace.bad_event
  debug.trace.file_without_events debug.gdb.session debug.gdb.bad_address debug.gdb.wait_without_gdb
  PROPERTIES LABELS debug TIMEOUT 120)
