# cmake -DFILE=<path> -DSIZE=<bytes> -P check_size.cmake: fails unless the
# file has exactly SIZE bytes (ROM images must fill their window).
file(SIZE ${FILE} actual)
if(NOT actual EQUAL SIZE)
  file(REMOVE ${FILE})
  message(FATAL_ERROR "${FILE}: ${actual} bytes, expected ${SIZE}")
endif()
