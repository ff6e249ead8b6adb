# cmake -P script: writes a C++ source defining `const unsigned char NAME[]`
# and `const size_t NAME_size` from the bytes of INPUT.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR count "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE "${OUTPUT}" "#include <cstddef>\nextern const unsigned char ${NAME}[] = {${body}};\nextern const std::size_t ${NAME}_size = ${count};\n")
