# bs_flat_binary(<name> <source.S> <base-address>)
# Assembles a 64-bit flat binary linked at <base-address> with the host GNU
# toolchain and embeds it as `const unsigned char <name>[]` (+ <name>_size) in
# the generated source ${CMAKE_CURRENT_BINARY_DIR}/<name>.cpp.
function(bs_flat_binary name source base)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.o)
  set(elf ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  set(bin ${CMAKE_CURRENT_BINARY_DIR}/${name}.bin)
  set(cpp ${CMAKE_CURRENT_BINARY_DIR}/${name}.cpp)
  add_custom_command(OUTPUT ${cpp}
    COMMAND ${CMAKE_C_COMPILER} -c -nostdlib -o ${obj} ${source}
    COMMAND ${CMAKE_LINKER} -Ttext=${base} --oformat=elf64-x86-64 -nostdlib -e 0 -o ${elf} ${obj}
    COMMAND ${CMAKE_OBJCOPY} -O binary -j .text ${elf} ${bin}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${bin} -DOUTPUT=${cpp} -DNAME=${name} -P ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${source} ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "Assembling flat binary ${name}")
endfunction()
