# cmake -DCOMMAND=<runner|arg|...> -DGOLDEN=<file> -DACTUAL=<file> -P compare.cmake
# Runs one system-test runner ('|' separates its arguments), keeps its output
# in ACTUAL and fails with a unified diff unless it equals GOLDEN. Prints
# "SKIP: ..." (the tests' SKIP_REGULAR_EXPRESSION) when the runner exits 77 or
# the guest itself reports a missing CPU feature with a SKIP: line.
string(REPLACE "|" ";" command "${COMMAND}")
execute_process(COMMAND ${command}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(rc EQUAL 77 OR out MATCHES "(^|\n)SKIP:")
  message("${out}${err}")
  return()
endif()
file(WRITE ${ACTUAL} "${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "runner failed (${rc}): ${err}\noutput so far:\n${out}")
endif()
execute_process(COMMAND diff -u ${GOLDEN} ${ACTUAL}
  OUTPUT_VARIABLE diff RESULT_VARIABLE drc)
if(NOT drc EQUAL 0)
  message(FATAL_ERROR "output differs from ${GOLDEN} (- golden, + this run):\n${diff}${err}")
endif()
message(STATUS "matches ${GOLDEN}")
