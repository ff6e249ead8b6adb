# bs_rom_image(<name> <source.S> [DEPENDS <files>...])
# Assembles a bare-metal test image with the host GNU toolchain: <source.S>
# (through the C preprocessor, include path = its folder) is linked at
# 0xF0000 and written as the flat 64 KiB ROM ${CMAKE_CURRENT_BINARY_DIR}/<name>.rom
# whose last 16 bytes are the reset vector. The custom target <name>_rom
# (part of `all`) builds it; the variable <name>_ROM names the file.
function(bs_rom_image name source)
  cmake_parse_arguments(ROM "" "" "DEPENDS" ${ARGN})
  get_filename_component(dir ${source} DIRECTORY)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.o)
  set(elf ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  set(rom ${CMAKE_CURRENT_BINARY_DIR}/${name}.rom)
  add_custom_command(OUTPUT ${rom}
    COMMAND ${CMAKE_C_COMPILER} -c -nostdlib -Wa,--fatal-warnings -I${dir} -o ${obj} ${source}
    COMMAND ${CMAKE_LINKER} -Ttext=0xF0000 --oformat=elf64-x86-64 -nostdlib -e 0 -o ${elf} ${obj}
    COMMAND ${CMAKE_OBJCOPY} -O binary -j .text ${elf} ${rom}
    COMMAND ${CMAKE_COMMAND} -DFILE=${rom} -DSIZE=65536 -P ${PROJECT_SOURCE_DIR}/cmake/check_size.cmake
    DEPENDS ${source} ${ROM_DEPENDS} ${PROJECT_SOURCE_DIR}/cmake/check_size.cmake
    COMMENT "Assembling ROM image ${name}")
  add_custom_target(${name}_rom ALL DEPENDS ${rom})
  set(${name}_ROM ${rom} PARENT_SCOPE)
endfunction()
