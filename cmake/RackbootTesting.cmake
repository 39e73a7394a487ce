# Test helpers. Every test carries exactly one of the labels
#   unit        pure code, no sockets beyond loopback, no root
#   integration real processes (servers, clients) in network namespaces
#   e2e         real firmware in QEMU, or the whole system
#   fuzz        fuzz-target corpus replay
# Unit tests mirror source paths: bootd/dhcp/packet.cc -> tests/unit/bootd/dhcp/packet_test.cc

# rackboot_unit_test(NAME SOURCES... LIBS ...)
function(rackboot_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  set(labels unit)
  if(T_LABELS)
    set(labels ${T_LABELS})
  endif()
  add_test(NAME ${name} COMMAND ${name} --gtest_color=no)
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" TIMEOUT 120)
endfunction()

# rackboot_fuzz_target(NAME SOURCE src.cc LIBS ... CORPUS dir)
# Always builds a replay binary that runs the corpus as a ctest (label fuzz);
# with RACKBOOT_LIBFUZZER it also builds NAME as a real libFuzzer binary.
function(rackboot_fuzz_target name)
  cmake_parse_arguments(F "" "SOURCE;CORPUS" "LIBS" ${ARGN})
  add_executable(${name}_replay ${F_SOURCE} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.cc)
  target_link_libraries(${name}_replay PRIVATE ${F_LIBS})
  add_test(NAME ${name}_corpus COMMAND ${name}_replay ${F_CORPUS})
  set_tests_properties(${name}_corpus PROPERTIES LABELS fuzz TIMEOUT 300)
  if(RACKBOOT_LIBFUZZER)
    add_executable(${name} ${F_SOURCE})
    target_link_libraries(${name} PRIVATE ${F_LIBS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  endif()
endfunction()
