# The fuzz replay test for the ordinary build (any compiler, no libFuzzer): feeds every file of
# tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/ through the fuzz harnesses.
# Included from tests/CMakeLists.txt (after Boost is found):
#     include(${PROJECT_SOURCE_DIR}/tests/fuzz/replay.cmake)
set(_fuzz_dir ${CMAKE_CURRENT_LIST_DIR})
set(_replay_sources ${_fuzz_dir}/replay_tests.cpp ${_fuzz_dir}/harness_common.cpp
    ${_fuzz_dir}/harness_sql_lexer.cpp ${_fuzz_dir}/harness_lock_file.cpp
    ${_fuzz_dir}/harness_conninfo.cpp ${_fuzz_dir}/harness_directives.cpp ${_fuzz_dir}/harness_utf8.cpp)
set(_replay_lambda 0)
if(TARGET ratchet_lambda_core)
    set(_replay_lambda 1)
    list(APPEND _replay_sources ${_fuzz_dir}/harness_lambda.cpp)
endif()
add_executable(ratchet_fuzz_replay ${_replay_sources})
target_link_libraries(ratchet_fuzz_replay PRIVATE ratchet_internal Boost::unit_test_framework)
if(_replay_lambda)
    target_link_libraries(ratchet_fuzz_replay PRIVATE ratchet_lambda_core)
endif()
target_compile_definitions(ratchet_fuzz_replay PRIVATE BOOST_TEST_DYN_LINK
    RATCHET_FUZZ_LAMBDA=${_replay_lambda} RATCHET_FUZZ_DIR="${_fuzz_dir}")
ratchet_apply_build_flags(ratchet_fuzz_replay)
add_test(NAME fuzz_replay COMMAND ratchet_fuzz_replay --log_level=test_suite --report_level=short)
set_tests_properties(fuzz_replay PROPERTIES LABELS unit)
