# libFuzzer targets: one executable per tests/fuzz/fuzz_*.cpp, built when
# -DPRIVAUDIT_FUZZ=ON with clang. The library is instrumented for coverage
# (fuzzer-no-link) and checked by AddressSanitizer and UBSan; each target
# links libFuzzer's main. Anything else linking the library gets the
# sanitizer runtimes. Run them with tests/fuzz/run.sh.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "PRIVAUDIT_FUZZ needs clang: -DCMAKE_CXX_COMPILER=clang++")
endif()
set(PRIVAUDIT_FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer -g)
target_compile_options(privaudit_lib PRIVATE -fsanitize=fuzzer-no-link ${PRIVAUDIT_FUZZ_SANITIZERS})
target_link_options(privaudit_lib INTERFACE -fsanitize=address,undefined)

file(GLOB FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.cpp)
set(PRIVAUDIT_FUZZ_TARGETS)
foreach(src ${FUZZ_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer ${PRIVAUDIT_FUZZ_SANITIZERS}
                         ${PRIVAUDIT_WARNINGS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE privaudit_lib)
  list(APPEND PRIVAUDIT_FUZZ_TARGETS ${name})
endforeach()
add_custom_target(fuzz DEPENDS ${PRIVAUDIT_FUZZ_TARGETS})
