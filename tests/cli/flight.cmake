# cmake -P script: the flight recorder. A guest panic (an initramfs with no
# init) writes the last events to --crash-trace; `trace show` finds panic()
# and the calls it made; --no-flight-recorder writes nothing.
set(crash ${OUT}/flight.trace)
file(REMOVE ${crash})
execute_process(COMMAND ${BOOTSCOPE} run --serial none --initrd ${INITRD} --crash-trace ${crash}
  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 120)
if(NOT rc EQUAL 6 OR NOT err MATCHES "the last 65536 events before the stop are in")
  message(FATAL_ERROR "panic run: status ${rc} (expected 6)\n${err}")
endif()
execute_process(COMMAND ${BOOTSCOPE} trace show ${crash} --function panic --depth 2
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\npanic\\(\\) {\n  vsnprintf\\(\\);.*\n  dump_stack\\(\\)")
  message(FATAL_ERROR "trace show of the crash trace: status ${rc}\n${out}\n${err}")
endif()
execute_process(COMMAND ${BOOTSCOPE} trace phases ${crash} RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "stop ")
  message(FATAL_ERROR "trace phases of the crash trace: status ${rc}\n${out}")
endif()
file(REMOVE ${crash})
execute_process(COMMAND ${BOOTSCOPE} run --serial none --initrd ${INITRD} --crash-trace ${crash} --no-flight-recorder
  RESULT_VARIABLE rc TIMEOUT 120)
if(NOT rc EQUAL 6 OR EXISTS ${crash})
  message(FATAL_ERROR "--no-flight-recorder: status ${rc}, crash trace written: ${crash}")
endif()
