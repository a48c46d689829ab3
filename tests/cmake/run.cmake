# Packaging check, run by ctest (label packaging). One route per run:
#   cmake -DROUTE=find_package|subdirectory|fetchcontent|pkg-config
#         -DRATCHET_SOURCE_DIR=<checkout> -DRATCHET_BINARY_DIR=<its build tree, for install>
#         -DWORK_DIR=<scratch> [-DGENERATOR=Ninja] [-DCXX_COMPILER=..] [-DBUILD_TYPE=..]
#         -P run.cmake
# find_package and pkg-config first `cmake --install` the build tree into WORK_DIR/prefix.
cmake_minimum_required(VERSION 3.23)
foreach(v ROUTE RATCHET_SOURCE_DIR WORK_DIR)
    if(NOT DEFINED ${v})
        message(FATAL_ERROR "run.cmake: -D${v}= is required")
    endif()
endforeach()
if(NOT GENERATOR)
    set(GENERATOR Ninja)
endif()
if(NOT BUILD_TYPE)
    set(BUILD_TYPE Release)
endif()
set(here "${CMAKE_CURRENT_LIST_DIR}")
set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${ROUTE}: ${what} failed (${rc}):\n  ${ARGN}\n${out}")
    endif()
    message(STATUS "${ROUTE}: ${what}: ok")
    set(last_output "${out}" PARENT_SCOPE)
endfunction()

if(ROUTE STREQUAL "find_package" OR ROUTE STREQUAL "pkg-config")
    if(NOT DEFINED RATCHET_BINARY_DIR)
        message(FATAL_ERROR "run.cmake: -DRATCHET_BINARY_DIR= is required for ${ROUTE}")
    endif()
    run("install" "${CMAKE_COMMAND}" --install "${RATCHET_BINARY_DIR}" --prefix "${prefix}"
        --config "${BUILD_TYPE}")
endif()

set(jobs -j2)
if(ROUTE STREQUAL "pkg-config")
    find_program(PKG_CONFIG pkg-config REQUIRED)
    file(GLOB_RECURSE pc_files "${prefix}/ratchet.pc")
    if(NOT pc_files)
        message(FATAL_ERROR "pkg-config: no ratchet.pc under ${prefix}")
    endif()
    list(GET pc_files 0 pc)
    get_filename_component(pc_dir "${pc}" DIRECTORY)
    set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
    run("pkg-config --modversion" "${PKG_CONFIG}" --modversion ratchet)
    string(STRIP "${last_output}" version)
    file(STRINGS "${RATCHET_SOURCE_DIR}/VERSION" expected LIMIT_COUNT 1)
    if(NOT version STREQUAL expected)
        message(FATAL_ERROR "pkg-config: version '${version}', expected '${expected}'")
    endif()
    # ratchet.pc must describe where it was installed (${pcfiledir}-relative), not where the
    # build meant to install it.
    run("pkg-config --variable=includedir" "${PKG_CONFIG}" --variable=includedir ratchet)
    string(STRIP "${last_output}" includedir)
    file(REAL_PATH "${includedir}" includedir_real)
    file(REAL_PATH "${prefix}/include" expected_real)
    if(NOT includedir_real STREQUAL expected_real)
        message(FATAL_ERROR "pkg-config: ratchet.pc is not relocatable: includedir is "
                            "'${includedir}' for an install into ${prefix}")
    endif()
    # A static libratchet.a is not self-contained: plain --libs must bring libpq, libcrypto,
    # spdlog and fmt (--static would also demand libpq's own static dependencies, which
    # distributions do not ship).
    run("pkg-config --cflags --libs" "${PKG_CONFIG}" --cflags --libs ratchet)
    string(STRIP "${last_output}" flags)
    separate_arguments(flags UNIX_COMMAND "${flags}")
    if(NOT CXX_COMPILER)
        set(CXX_COMPILER c++)
    endif()
    run("compile and link one file" "${CXX_COMPILER}" -std=c++20 "${here}/pkg-config/main.cpp"
        -o "${WORK_DIR}/pkg_config_consumer" ${flags})
    run("run" "${WORK_DIR}/pkg_config_consumer" "${here}/consumer/migrations")
    message(STATUS "${last_output}")
    return()
endif()

set(cfg -S "${here}/consumer" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" "-DROUTE=${ROUTE}" "-DRATCHET_SOURCE_DIR=${RATCHET_SOURCE_DIR}")
if(CXX_COMPILER)
    list(APPEND cfg "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(ROUTE STREQUAL "find_package")
    # Only the install prefix: a ratchet found anywhere else would prove nothing.
    list(APPEND cfg "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
endif()
run("configure" "${CMAKE_COMMAND}" ${cfg})
if(ROUTE STREQUAL "find_package" AND NOT last_output MATCHES "ratchet [0-9.]+ from ${prefix}")
    message(FATAL_ERROR "find_package: ratchet was not found in ${prefix}:\n${last_output}")
endif()
run("build" "${CMAKE_COMMAND}" --build "${WORK_DIR}/build" ${jobs})
run("run" "${WORK_DIR}/build/consumer")
message(STATUS "${last_output}")
