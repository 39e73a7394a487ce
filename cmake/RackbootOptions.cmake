# Compiler flags shared by every target.
add_compile_options(-Wall -Wextra -Wpedantic -Wno-unused-parameter)
if(RACKBOOT_WERROR)
  add_compile_options(-Werror)
endif()
if(RACKBOOT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(RACKBOOT_LIBFUZZER)
  # Everything gets coverage instrumentation; only fuzz targets link the driver.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# Version string baked into both binaries (--version).
execute_process(
  COMMAND git -C ${CMAKE_SOURCE_DIR} describe --always --dirty --tags
  OUTPUT_VARIABLE RACKBOOT_GIT_DESCRIBE
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT RACKBOOT_GIT_DESCRIBE)
  set(RACKBOOT_GIT_DESCRIBE "unknown")
endif()
