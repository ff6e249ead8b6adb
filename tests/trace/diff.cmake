# cmake -P script: `trace diff`.
#   - two recordings of the default boot: status 0, "match";
#   - the default boot against VARIANT_KERNEL (the test guest whose
#     serial8250_init and cmos_init initcalls are swapped): status 18, and
#     the report names both initcalls, as moved, and the first divergence;
#   - a trace cut short: status 16.
function(record name)
  execute_process(COMMAND ${BOOTSCOPE} trace record --serial none ${ARGN} -o ${OUT}/diff-${name}.trace
    RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 300)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "trace record (${name}): exit status ${rc}\n${err}")
  endif()
endfunction()
function(diff a b status)
  execute_process(COMMAND ${BOOTSCOPE} trace diff ${a} ${b} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "trace diff ${a} ${b}: status ${rc}\n${out}${err}")
  if(NOT rc EQUAL ${status})
    message(FATAL_ERROR "trace diff: exit status ${rc}, expected ${status}")
  endif()
  set(report "${out}" PARENT_SCOPE)
endfunction()

record(a)
record(b)
diff(${OUT}/diff-a.trace ${OUT}/diff-b.trace 0)
if(NOT report MATCHES "first divergence\nnone" OR NOT report MATCHES "match within the thresholds")
  message(FATAL_ERROR "two recordings of the same boot: the report does not say they match")
endif()

record(variant --kernel ${VARIANT_KERNEL} --initrd ${INITRD})
diff(${OUT}/diff-a.trace ${OUT}/diff-variant.trace 18)
foreach(want "initcalls: 0 added, 0 removed, 1 reordered" "cmos_init" "serial8250_init" "(moved)"
             "  A: i8042_init()" "  B: serial8250_init()" "the traces differ")
  string(FIND "${report}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the report of the reordered initcalls lacks \"${want}\"")
  endif()
endforeach()

# A trace without its End record (the recorder died): broken.
execute_process(COMMAND ${CMAKE_COMMAND} -E copy ${OUT}/diff-a.trace ${OUT}/diff-cut.trace)
file(SIZE ${OUT}/diff-a.trace size)
math(EXPR keep "${size} - 56")
execute_process(COMMAND truncate -s ${keep} ${OUT}/diff-cut.trace RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "truncate failed")
endif()
diff(${OUT}/diff-a.trace ${OUT}/diff-cut.trace 16)
