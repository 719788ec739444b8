# The differential fuzzer (tests/fuzz/): a fixed seed set against the native
# CPU in the normal suite (label "fuzz"), and its self-test, which corrupts
# one field of bt86's results per kind and must see each reported.
set(BT86_FUZZ $<TARGET_FILE:bt86_fuzz> --native $<TARGET_FILE:bt86_fuzz_native>)
foreach(seed 1 2 3 4)
  add_test(NAME fuzz.native.seed${seed} COMMAND ${BT86_FUZZ} --seed ${seed} --cases 500 --max-differences 3)
endforeach()
add_test(NAME fuzz.self_test COMMAND ${BT86_FUZZ} --seed 7 --self-test)
set_tests_properties(fuzz.native.seed1 fuzz.native.seed2 fuzz.native.seed3 fuzz.native.seed4 fuzz.self_test
                     PROPERTIES LABELS fuzz TIMEOUT 300)
