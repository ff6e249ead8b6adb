# cmake -P script: records the bundled guest's boot trace twice, requires the
# two files to be byte-identical, and checks the dump tells the boot's story:
# the mode switches from real mode to long mode, ring 3, system calls, the
# console lines, the power-off. A truncated copy must be refused (status 16).
foreach(n 1 2)
  execute_process(COMMAND ${BOOTSCOPE} trace record --serial none -o ${OUT}/rec${n}.trace
    RESULT_VARIABLE rc TIMEOUT 120)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "trace record ${n}: exit status ${rc}, expected 0")
  endif()
endforeach()
file(SHA256 ${OUT}/rec1.trace a)
file(SHA256 ${OUT}/rec2.trace b)
if(NOT a STREQUAL b)
  message(FATAL_ERROR "two recordings of the same boot differ (${OUT}/rec1.trace, rec2.trace)")
endif()
execute_process(COMMAND ${BOOTSCOPE} trace dump ${OUT}/rec1.trace RESULT_VARIABLE rc OUTPUT_VARIABLE dump TIMEOUT 120)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "trace dump: exit status ${rc}")
endif()
foreach(re
    "\nkernel: [^\n]*bzImage [0-9]+ bytes fnv1a64:[0-9a-f]+\n"
    "cpl0 mode +real -> protected16"
    "cpl0 mode +protected32 -> compat32"
    "cpl0 mode +compat32 -> long64"
    "cpl0 control +aux 0x3 "
    "cpl3 syscall +aux 0x"
    "cpl0 interrupt +aux 0x20 "
    "console +init: Hello from /sbin/init! pid 1"
    "console +hello: Hello from /bin/hello!"
    "cpl0 halt"
    "ports +port 0x03f8 reads [0-9]+ writes [1-9]"
    "stop +power-off\n$")
  if(NOT dump MATCHES "${re}")
    message(FATAL_ERROR "the trace dump lacks /${re}/")
  endif()
endforeach()
# A recording cut short, and a file that is not a trace.
file(SIZE ${OUT}/rec1.trace size)
math(EXPR keep "${size} - 56")
execute_process(COMMAND head -c ${keep} ${OUT}/rec1.trace OUTPUT_FILE ${OUT}/cut.trace)
execute_process(COMMAND ${BOOTSCOPE} trace dump ${OUT}/cut.trace RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 16 OR NOT err MATCHES "no End record")
  message(FATAL_ERROR "a truncated trace: status ${rc} (expected 16), message: ${err}")
endif()
execute_process(COMMAND ${BOOTSCOPE} trace dump ${CMAKE_CURRENT_LIST_FILE} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 16 OR NOT err MATCHES "not a Bootscope trace")
  message(FATAL_ERROR "a non-trace file: status ${rc} (expected 16), message: ${err}")
endif()
# trace show's filters: a kernel section, a name pattern (others see-through).
execute_process(COMMAND ${BOOTSCOPE} trace show ${OUT}/rec1.trace --section .init.text --depth 2
  RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\nkernel_init_freeable\\(\\) {\n  smp_prepare_cpus\\(\\);" OR out MATCHES "printk")
  message(FATAL_ERROR "trace show --section .init.text: status ${rc}\n${out}")
endif()
execute_process(COMMAND ${BOOTSCOPE} trace show ${OUT}/rec1.trace --match "do_*initcall*"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "do_initcalls\\(\\) {\n  do_one_initcall\\(\\); x 11 ")
  message(FATAL_ERROR "trace show --match: status ${rc}\n${out}")
endif()
# The boot chart: an SVG with a bar per phase.
execute_process(COMMAND ${BOOTSCOPE} trace phases ${OUT}/rec1.trace --svg ${OUT}/rec1.svg RESULT_VARIABLE rc OUTPUT_QUIET)
file(READ ${OUT}/rec1.svg svg)
string(REGEX MATCHALL "<rect " bars "${svg}")
list(LENGTH bars nbars)
if(NOT rc EQUAL 0 OR NOT svg MATCHES "^<svg xmlns=\"http://www.w3.org/2000/svg\"" OR NOT svg MATCHES "</svg>\n$"
   OR NOT svg MATCHES "<title>start_kernel &gt; calibrate_delay: " OR nbars LESS 30)
  message(FATAL_ERROR "trace phases --svg: status ${rc}, ${nbars} bars")
endif()
