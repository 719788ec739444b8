# kvm-unit-tests (label kut): the x86 conformance suite, built for i386 from
# its source tarball into <build>/kut once (the kut.build fixture; the
# suite never enters the repository), then every test of its default group
# that an i386 build runs, each on bt86 with unittests.cfg's arguments
# (tests/kut/kut_run.sh, which also says why a test is skipped).
# The tarball: -DBT86_KUT_TARBALL=..., else ../shared/third_party next to the
# checkout (or next to its parent, for worktrees).
set(BT86_KUT_TARBALL "" CACHE FILEPATH "kvm-unit-tests source tarball for the kut tests")
set(kut_tarball ${BT86_KUT_TARBALL})
if(NOT kut_tarball)
  file(GLOB kut_found ${PROJECT_SOURCE_DIR}/../shared/third_party/kvm-unit-tests-*.tar.gz
                      ${PROJECT_SOURCE_DIR}/../../shared/third_party/kvm-unit-tests-*.tar.gz)
  list(SORT kut_found)
  list(LENGTH kut_found kut_count)
  if(kut_count GREATER 0)
    list(GET kut_found -1 kut_tarball)
  endif()
endif()

set(kut_dir ${CMAKE_CURRENT_LIST_DIR}/kut)
if(NOT kut_tarball OR NOT EXISTS ${kut_tarball})
  add_test(NAME kut.unavailable COMMAND sh -c "echo 'SKIPPED: no kvm-unit-tests tarball (configure with -DBT86_KUT_TARBALL=...)'; exit 77")
  set_tests_properties(kut.unavailable PROPERTIES LABELS kut SKIP_RETURN_CODE 77)
  return()
endif()

set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${kut_tarball} ${kut_dir}/kut_tests.awk)
execute_process(COMMAND tar -xzOf ${kut_tarball} --wildcards "*/x86/unittests.cfg"
                COMMAND awk -v names=1 -f ${kut_dir}/kut_tests.awk
                OUTPUT_VARIABLE kut_names RESULT_VARIABLE kut_result)
if(NOT kut_result EQUAL 0 OR NOT kut_names)
  message(FATAL_ERROR "cannot read x86/unittests.cfg from ${kut_tarball}")
endif()
string(REPLACE "\n" ";" kut_names "${kut_names}")

add_test(NAME kut.build COMMAND bash ${kut_dir}/kut_build.sh ${kut_tarball} ${CMAKE_BINARY_DIR}/kut)
set_tests_properties(kut.build PROPERTIES FIXTURES_SETUP kut LABELS kut TIMEOUT 900)
foreach(name IN LISTS kut_names)
  if(name)
    add_test(NAME kut.${name} COMMAND bash ${kut_dir}/kut_run.sh ${BT86_EXE} ${CMAKE_BINARY_DIR}/kut ${name})
    set_tests_properties(kut.${name} PROPERTIES FIXTURES_REQUIRED kut LABELS kut SKIP_RETURN_CODE 77 TIMEOUT 300)
  endif()
endforeach()
# realmode without its one check that needs a BIOS (tests/kut/kut_realmode.sh).
add_test(NAME kut.realmode_bt COMMAND bash ${kut_dir}/kut_realmode.sh ${BT86_EXE} ${CMAKE_BINARY_DIR}/kut)
set_tests_properties(kut.realmode_bt PROPERTIES FIXTURES_REQUIRED kut LABELS kut SKIP_RETURN_CODE 77 TIMEOUT 300)
