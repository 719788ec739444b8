# The differential fuzzer (tests/fuzz/): a fixed seed set against the native
# CPU in the normal suite (label "fuzz"), its self-test, which corrupts one
# field of bt86's results per kind and must see each reported and shrunk, and
# a check that every generated instruction assembles and decodes.
set(BT86_FUZZ $<TARGET_FILE:bt86_fuzz> --native $<TARGET_FILE:bt86_fuzz_native>)
foreach(seed 1 2 3 4)
  add_test(NAME fuzz.native.seed${seed} COMMAND ${BT86_FUZZ} --seed ${seed} --cases 1000 --max-differences 3)
endforeach()
add_test(NAME fuzz.self_test COMMAND ${BT86_FUZZ} --seed 7 --self-test)
# 16-bit code (--mode): the same programs with 0x66/0x67 toggled, in an LDT
# code segment natively and on bt86 in 16-bit protected mode (16- and
# 32-bit stacks) and real mode. pm16 seed 1 found enter's EBP on a 16-bit stack.
foreach(mode pm16 pm16-ss32 real)
  add_test(NAME fuzz.native16.${mode} COMMAND ${BT86_FUZZ} --mode ${mode} --seed 1 --cases 1000 --max-differences 3)
  set_tests_properties(fuzz.native16.${mode} PROPERTIES LABELS fuzz TIMEOUT 300)
endforeach()
add_test(NAME fuzz.native16.self_test COMMAND ${BT86_FUZZ} --mode 16 --seed 7 --self-test)
add_test(NAME fuzz.generator16 COMMAND ${BT86_FUZZ} --mode 16 --seed 5 --cases 3000 --assemble-only)
set_tests_properties(fuzz.native16.self_test fuzz.generator16 PROPERTIES LABELS fuzz TIMEOUT 300)
add_test(NAME fuzz.generator COMMAND ${BT86_FUZZ} --seed 5 --cases 5000 --assemble-only)
set_tests_properties(fuzz.native.seed1 fuzz.native.seed2 fuzz.native.seed3 fuzz.native.seed4 fuzz.self_test
                     fuzz.generator PROPERTIES LABELS fuzz TIMEOUT 300)

# The KVM side (labels "fuzz" and "kvm"): the same kind of cases on KvmCpu,
# compared with native, without what the instruction probes show this KVM
# cannot run or runs otherwise (printed first); skipped (77, the reason
# printed) where /dev/kvm is missing or cannot run unpaged protected mode.
# Its self-test corrupts KVM's results as fuzz.self_test does bt86's.
add_test(NAME fuzz.kvm.seed1 COMMAND ${BT86_FUZZ} --side kvm --seed 1 --cases 1000 --max-differences 3)
add_test(NAME fuzz.kvm.self_test COMMAND ${BT86_FUZZ} --side kvm --seed 7 --self-test)
set_tests_properties(fuzz.kvm.seed1 fuzz.kvm.self_test PROPERTIES LABELS "fuzz;kvm" TIMEOUT 120 SKIP_RETURN_CODE 77)
