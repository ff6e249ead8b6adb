# firmware/firmware.cmake - included by guest/CMakeLists.txt.
# Builds ${G}/firmware.bin: the tiny BIOS, exactly 64 KiB, reset vector at
# offset 0xFFF0 (QEMU's -bios wants a multiple of 64 KiB; Bootscope maps it
# below 4 GiB and its last 64 KiB at 0xF0000).  Also ${G}/firmware.elf,
# with symbols, for debuggers and the tracer.
set(FW_DIR ${CMAKE_CURRENT_LIST_DIR})
set(FW_SOURCES reset.S post.S ivt.S console.S int10.S int15.S keyboard.S time.S
  fw_cfg.S flat.S boot.S)
list(TRANSFORM FW_SOURCES PREPEND ${FW_DIR}/)
add_library(guest_firmware_objs OBJECT ${FW_SOURCES})
# 16-bit code (each file says .code16) in 32-bit ELF objects; assembler
# warnings are errors.
target_compile_options(guest_firmware_objs PRIVATE -m32 -ffreestanding -nostdlib -fno-pic -g
  -Wa,--fatal-warnings)
target_include_directories(guest_firmware_objs PRIVATE ${FW_DIR})
set_target_properties(guest_firmware_objs PROPERTIES POSITION_INDEPENDENT_CODE OFF)

set(FW_LD ${FW_DIR}/firmware.ld)
add_custom_command(OUTPUT ${G}/firmware.elf ${G}/firmware.bin
  COMMAND ${GUEST_LD} -m elf_i386 -T ${FW_LD} -o ${G}/firmware.elf $<TARGET_OBJECTS:guest_firmware_objs>
  COMMAND ${GUEST_OBJCOPY} -O binary --gap-fill=0xff ${G}/firmware.elf ${G}/firmware.bin
  DEPENDS guest_firmware_objs $<TARGET_OBJECTS:guest_firmware_objs> ${FW_LD}
  COMMAND_EXPAND_LISTS
  COMMENT "Linking guest firmware.bin")
