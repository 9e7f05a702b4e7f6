# srs_add_test(NAME <name> SOURCES <files...> LIBS <targets...> [TIMEOUT s] [LABELS l...] [ENV k=v...])
# One Qt Test executable per unit, registered with CTest, run offscreen (Qt Test's own 300 s limit
# per test function raised to the CTest timeout, which governs), with SRS_SHARED_DATA
# pointing at ../shared/data (tests skip with a message where it is absent). A test in which any
# function calls QSKIP is reported by CTest as Skipped, not Passed, so a skip is never silent;
# .ci/run fails on every skip that .ci/allowed-skips does not declare.
set(SRS_SHARED_DATA "${CMAKE_SOURCE_DIR}/../shared/data" CACHE PATH "Folder of real models and text for tests")
get_filename_component(SRS_SHARED_DATA "${SRS_SHARED_DATA}" ABSOLUTE)

# The tests that exercise a CUDA device when the machine has one (and skip, saying why, when it has
# not) get the extra label `gpu`: `ctest -L gpu` on a GPU machine, target srs_gpu_tests to build them.
set(SRS_GPU_TESTS kernels_qdq_cuda device_hardware dist_collective_nccl integration_cli_devices_bench integration_cli_cuda)

function(srs_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(T_NAME IN_LIST SRS_GPU_TESTS)
    list(APPEND T_LABELS gpu)
    list(REMOVE_DUPLICATES T_LABELS)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  set_target_properties(${T_NAME} PROPERTIES AUTOMOC ON)
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} Qt6::Test)
  target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  # Per label, the executables (for targets that build one label's tests, e.g. srs_sanitize_tests).
  foreach(_label ${T_LABELS})
    set_property(GLOBAL APPEND PROPERTY SRS_TEST_TARGETS_${_label} ${T_NAME})
  endforeach()
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT}
    LABELS "${T_LABELS}"
    SKIP_REGULAR_EXPRESSION "SKIP   : "
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QTEST_FUNCTION_TIMEOUT=${T_TIMEOUT}000;SRS_SHARED_DATA=${SRS_SHARED_DATA};SRS_SOURCE_DIR=${CMAKE_SOURCE_DIR};SRS_BINARY_DIR=${CMAKE_BINARY_DIR};${T_ENV}")
endfunction()

# srs_add_test_folder(PREFIX <p> LIBS <targets...> [TIMEOUT s] [LABELS l...])
# One test executable per test_<unit>.cpp in the calling folder, named <p>_<unit>.
function(srs_add_test_folder)
  cmake_parse_arguments(F "" "PREFIX;TIMEOUT" "LIBS;LABELS" ${ARGN})
  file(GLOB _tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test_*.cpp)
  foreach(_t ${_tests})
    get_filename_component(_unit ${_t} NAME_WE)
    string(REGEX REPLACE "^test_" "" _unit ${_unit})
    srs_add_test(NAME ${F_PREFIX}_${_unit} SOURCES ${_t} LIBS ${F_LIBS} TIMEOUT ${F_TIMEOUT} LABELS ${F_LABELS})
  endforeach()
endfunction()
