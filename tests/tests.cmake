# Unit tests: one Boost.Test executable per tests/*_test.cpp, registered with CTest.
file(GLOB TEST_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/*_test.cpp)
foreach(src ${TEST_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_compile_definitions(${name} PRIVATE
    PRIVAUDIT_BIN="$<TARGET_FILE:privaudit>"
    PRIVAUDIT_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  target_link_libraries(${name} PRIVATE privaudit_lib Boost::unit_test_framework)
  add_dependencies(${name} privaudit)
  add_test(NAME ${name} COMMAND ${name} --color_output=no --log_level=test_suite)
endforeach()

# Every rule's own examples (privaudit rules test over rules/).
add_test(NAME rules_examples COMMAND privaudit rules test ${CMAKE_SOURCE_DIR}/rules)

# Man pages: lint with mandoc.
file(GLOB MAN_PAGES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/man/*.[1-9])
foreach(page ${MAN_PAGES})
  get_filename_component(name ${page} NAME)
  add_test(NAME man_lint_${name} COMMAND mandoc -Tlint -Wwarning ${page})
endforeach()

# Script tests (tests/scripts/*.sh): exit 77 skips when a tool is missing and
# CI is not set; under CI=true a missing tool fails.
foreach(script sarif_validate html_chromium)
  add_test(NAME ${script} COMMAND bash ${CMAKE_SOURCE_DIR}/tests/scripts/${script}.sh
           $<TARGET_FILE:privaudit> ${CMAKE_SOURCE_DIR})
  set_tests_properties(${script} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()
