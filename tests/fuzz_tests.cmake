# The differential fuzzer (tests/fuzz/): a fixed seed set against the native
# CPU in the normal suite (label "fuzz"), its self-test, which corrupts one
# field of bt86's results per kind and must see each reported and shrunk, and
# a check that every generated instruction assembles and decodes.
set(BT86_FUZZ $<TARGET_FILE:bt86_fuzz> --native $<TARGET_FILE:bt86_fuzz_native>)
foreach(seed 1 2 3 4)
  add_test(NAME fuzz.native.seed${seed} COMMAND ${BT86_FUZZ} --seed ${seed} --cases 1000 --max-differences 3)
endforeach()
add_test(NAME fuzz.self_test COMMAND ${BT86_FUZZ} --seed 7 --self-test)
add_test(NAME fuzz.generator COMMAND ${BT86_FUZZ} --seed 5 --cases 5000 --assemble-only)
set_tests_properties(fuzz.native.seed1 fuzz.native.seed2 fuzz.native.seed3 fuzz.native.seed4 fuzz.self_test
                     fuzz.generator PROPERTIES LABELS fuzz TIMEOUT 300)
