# cmake -P script: a golden boot trace. Records the bundled guest's boot with
# RUN_ARGS (a ;-list of `trace record` options), then compares the normalised
# views — `trace phases` and `trace show --depth DEPTH` — with the files
# GOLDEN.phases.txt and GOLDEN.show.txt. They hold symbol names, instruction
# counts and virtual times only: no host paths, no wall-clock.
#
# After an intended change to the guest or the emulator, regenerate them:
#     make update-goldens        (UPDATE_GOLDENS=1 in the environment)
# and review the diff like any other change.
set(trace ${OUT}/${NAME}.trace)
execute_process(COMMAND ${BOOTSCOPE} trace record --serial none ${RUN_ARGS} -o ${trace}
  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 300)
if(NOT rc EQUAL ${STATUS})
  message(FATAL_ERROR "trace record: exit status ${rc}, expected ${STATUS}\n${err}")
endif()
set(failed "")
foreach(view phases show)
  if(view STREQUAL "show")
    set(args show ${trace} --depth ${DEPTH})
  else()
    set(args phases ${trace})
  endif()
  execute_process(COMMAND ${BOOTSCOPE} trace ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "trace ${view}: exit status ${rc}\n${err}")
  endif()
  set(golden ${GOLDEN}.${view}.txt)
  if(DEFINED ENV{UPDATE_GOLDENS})
    file(WRITE ${golden} "${text}")
    message(STATUS "updated ${golden}")
    continue()
  endif()
  file(WRITE ${OUT}/${NAME}.${view}.txt "${text}")
  if(NOT EXISTS ${golden})
    list(APPEND failed "${golden} is missing (make update-goldens)")
    continue()
  endif()
  file(READ ${golden} want)
  if(NOT text STREQUAL want)
    execute_process(COMMAND diff -u ${golden} ${OUT}/${NAME}.${view}.txt OUTPUT_VARIABLE d)
    string(SUBSTRING "${d}" 0 6000 d)
    list(APPEND failed "trace ${view} differs from ${golden}:\n${d}")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "${failed}\nIf the change is intended: make update-goldens, then review and commit the files.")
endif()
