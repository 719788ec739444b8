# The hostile-guest suite (label "hostile"): guests/hostile under
# tests/hostile_run.sh, a fixed seed set. The verdict of every run is first
# about the host (bt86 ends by itself, within --timeout + 1 s, with status
# 0-3 or 124, never by a signal); random CPL-0 code may wreck its own
# machine (--host-only), every other kind must also PASS, and the endless
# loops must end at the timeout (124). tests/hostile_long.sh runs many seeds.
set(BT86_HOSTILE ${CMAKE_CURRENT_LIST_DIR}/hostile_run.sh)
set(BT86_HOSTILE_KERNEL ${BT86_GUEST_DIR}/hostile.elf)

# hostile_test(<name> "<kernel command line>" [hostile_run.sh options...])
function(hostile_test name cmdline)
  add_test(NAME hostile.${name}
    COMMAND ${BT86_HOSTILE} ${ARGN} ${BT86_EXE} ${BT86_HOSTILE_KERNEL} "${cmdline}")
  set_tests_properties(hostile.${name} PROPERTIES LABELS hostile TIMEOUT 120)
endfunction()

# Chaos: random code at CPL 3 (the guest kernel must survive every round)
# and at CPL 0 (only the host's fate counts).
foreach(seed 1 2 3 4)
  hostile_test(ring3.seed${seed} "kind=ring3 seed=${seed} rounds=5000")
endforeach()
foreach(seed 1 2 3 4 5 6)
  hostile_test(ring0.seed${seed} "kind=ring0 seed=${seed} rounds=5000" --host-only)
endforeach()

# Targeted attacks, each checked against the SDM by the guest itself:
# every addressing form at the 4 GiB wrap, wild page tables (32-bit with
# and without PSE, PAE), self-modifying code through two mappings.
foreach(seed 1 2)
  hostile_test(wrap.seed${seed} "kind=wrap seed=${seed}")
  hostile_test(smc.seed${seed} "kind=smc seed=${seed}")
endforeach()
foreach(seed 1 2 3)
  hostile_test(pages.seed${seed} "kind=pages seed=${seed}")
endforeach()
# mov cr3 with a reserved bit in a present PAE PDPTE: #GP(0).
hostile_test(pages.pdpte "kind=pages seed=1 variant=pdpte rounds=20")
# Garbage descriptors and frames; variant=types: every descriptor type under
# lar/lsl/verr/verw, segment loads, ltr and lldt (lldt of a reserved type
# is #GP).
foreach(seed 1 2 3)
  hostile_test(desc.seed${seed} "kind=desc seed=${seed}")
endforeach()
hostile_test(desc.types "kind=desc variant=types")
# A task switch to a TSS whose limit is below 0x67 (jmp, call, int): #TS.
hostile_test(desc.tiny-tss "kind=desc variant=tiny-tss")

# Endless string loops: interrupts must come between iterations (a tick
# ends each loop once it made progress, at CPL 0 and 3, over RAM, open bus
# and ports), and a loop nothing can interrupt must still end at --timeout
# (124), whether it runs as translated code or in a helper of bt86.
hostile_test(rep.interrupted "kind=rep seed=1")
foreach(variant jmp movsb-ram stosd-ram-user insb-ram outsb-ram outsd-ram-user lodsb-unbacked
        movsd-unbacked stosb-unbacked-user cmpsb-unbacked scasb-unbacked)
  hostile_test(rep.endless.${variant} "kind=rep variant=endless-${variant}"
    --timeout 2 --expect-status 124)
endforeach()
# New code at every pass: bt86 ends with a full translation cache (4 s hold
# some 700,000 blocks), still within --timeout + 1 s.
hostile_test(rep.endless.newcode "kind=rep variant=endless-newcode" --timeout 4 --expect-status 124)

# Random real-mode code from a firmware image (--bios): bt86 must end by
# itself, never crash (tests/rom_chaos.sh).
foreach(seed 1 2 3 4)
  add_test(NAME hostile.realmode_rom.seed${seed}
    COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/rom_chaos.sh ${BT86_EXE} ${BT86_GUEST_DIR}/chaos_rom_${seed}.bin 5)
  set_tests_properties(hostile.realmode_rom.seed${seed} PROPERTIES LABELS hostile TIMEOUT 120)
endforeach()
