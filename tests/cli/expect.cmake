# cmake -P script: runs CMD (a ;-list), checks its exit status is STATUS and,
# when given, that its stdout+stderr matches REGEX.
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
set(all "${out}${err}")
if(NOT "${rc}" STREQUAL "${STATUS}")
  message(FATAL_ERROR "expected exit status ${STATUS}, got ${rc}\n--- output ---\n${all}")
endif()
if(DEFINED REGEX AND NOT all MATCHES "${REGEX}")
  message(FATAL_ERROR "output does not match '${REGEX}'\n--- output ---\n${all}")
endif()
