# cmake -P script: `trace export` of the bundled guest's default boot.
# Records the boot, exports it as Chrome Trace Event JSON twice (the two
# files must be byte-identical) and checks it with CHECKER (a Python script:
# the structure Perfetto's importer needs, start_kernel, initcall phases);
# exports it as JSON lines and parses every line.
set(trace ${OUT}/export-default.trace)
execute_process(COMMAND ${BOOTSCOPE} trace record --serial none -o ${trace}
  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 300)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "trace record: exit status ${rc}\n${err}")
endif()
foreach(n 1 2)
  execute_process(COMMAND ${BOOTSCOPE} trace export ${trace} --format chrome -o ${OUT}/export-default.${n}.json
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "trace export --format chrome: exit status ${rc}\n${err}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/export-default.1.json ${OUT}/export-default.2.json
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "two exports of the same trace differ")
endif()
execute_process(COMMAND ${PYTHON} ${CHECKER} ${OUT}/export-default.1.json RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the Chrome trace export fails the check (above)")
endif()

execute_process(COMMAND ${BOOTSCOPE} trace export ${trace} --format jsonl -o ${OUT}/export-default.jsonl
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "trace export --format jsonl: exit status ${rc}\n${err}")
endif()
# Every line an object with a kind; the first the header; calls named.
execute_process(COMMAND ${PYTHON} -c [=[
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
objs = [json.loads(l) for l in lines]
assert all(isinstance(o, dict) and "kind" in o for o in objs), "an object without kind"
assert objs[0]["kind"] == "header" and "kernel" in objs[0], "the first line is not the header"
calls = [o for o in objs if o["kind"] == "call"]
assert any(o["to"] == "start_kernel" for o in calls), "no call of start_kernel"
assert any(o["kind"] == "console" and o["text"] for o in objs), "no console lines"
assert all(isinstance(o["icount"], int) and isinstance(o["time_ns"], int) for o in objs[1:])
print("jsonl: %d events, %d calls: ok" % (len(objs) - 1, len(calls)))
]=] ${OUT}/export-default.jsonl RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the JSON lines export fails the check (above)")
endif()
