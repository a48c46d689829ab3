# ratchet_embed_migrations(): compile a Prisma migrations directory into a target.
#
#   ratchet_embed_migrations(<target> DIRECTORY <dir> [NAME <identifier>] [NAMESPACE <ns>]
#                            [DEPENDS <file-or-target>...])
#
# Generates, at build time, a C++ source added to <target> that defines
#
#   ratchet::migration_set [<ns>::]<NAME>();
#
# and, at configure time, the header <NAME>.hpp declaring it, in a directory added to the
# target's PRIVATE include path. The function returns what ratchet::load_directory(<dir>)
# returns for the same directory at build time: the same names, order, script text and
# checksums, the same migrations whose migration.sql is missing (readable == false), and the
# same migration_lock.toml; only `origin` differs ("embedded:<NAME>").
#
#   DIRECTORY  the migrations directory (relative paths are relative to the current source
#              directory). It must exist when the project is configured.
#   NAME       the function's name and the header's base name, a C++ identifier.
#              Default: <target>_migrations, with every non-identifier character replaced by _.
#   NAMESPACE  an optional namespace for the function ("app" or "app::db").
#   DEPENDS    files or targets that must be built before the directory is read (when the
#              migrations are themselves generated at build time).
#
# <target> must be an executable or a (static, shared, module or object) library defined in
# the current directory, and must link ratchet::ratchet.
#
# Rebuilds: the directory is scanned again whenever a file or directory in it is added,
# removed or changed (with Ninja and Makefile generators through a depfile that lists the
# directory, each migration directory and each file read; with other generators through a
# CONFIGURE_DEPENDS glob). Binary content (NUL bytes, invalid UTF-8) and large files (tens of
# MB) are fine: each file becomes an array of short hex string literals (2 KB of data each),
# decoded when the function is called; the binary holds twice the data's size.
#
# Limits: a directory name containing ';' cannot be embedded (CMake lists); a migration.sql
# that exists but cannot be read fails the build (load_directory would report it unreadable).

if(CMAKE_VERSION VERSION_LESS 3.20)
    message(FATAL_ERROR "ratchet_embed_migrations() needs CMake 3.20 or newer")
endif()
if(POLICY CMP0116)
    cmake_policy(SET CMP0116 NEW)  # depfile paths relative to the current binary directory
endif()

function(ratchet_embed_migrations target)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "DIRECTORY;NAME;NAMESPACE" "DEPENDS")
    if(arg_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "ratchet_embed_migrations: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT TARGET "${target}")
        message(FATAL_ERROR "ratchet_embed_migrations: '${target}' is not a target")
    endif()
    get_target_property(_type "${target}" TYPE)
    if(NOT _type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$")
        message(FATAL_ERROR "ratchet_embed_migrations: '${target}' is a ${_type}; it needs an "
                            "executable or a library with sources")
    endif()
    get_target_property(_imported "${target}" IMPORTED)
    get_target_property(_tdir "${target}" SOURCE_DIR)
    if(_imported OR NOT _tdir STREQUAL CMAKE_CURRENT_SOURCE_DIR)
        message(FATAL_ERROR "ratchet_embed_migrations: call it in the directory that defines "
                            "'${target}' (${_tdir})")
    endif()
    if(NOT DEFINED arg_DIRECTORY OR arg_DIRECTORY STREQUAL "")
        message(FATAL_ERROR "ratchet_embed_migrations: DIRECTORY is required")
    endif()
    get_filename_component(_dir "${arg_DIRECTORY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT IS_DIRECTORY "${_dir}")
        message(FATAL_ERROR "ratchet_embed_migrations: DIRECTORY '${_dir}' is not a directory")
    endif()
    if(DEFINED arg_NAME)
        set(_name "${arg_NAME}")
    else()
        string(MAKE_C_IDENTIFIER "${target}_migrations" _name)
    endif()
    if(NOT _name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
        message(FATAL_ERROR "ratchet_embed_migrations: NAME '${_name}' is not a C++ identifier")
    endif()
    set(_ns "${arg_NAMESPACE}")
    if(NOT _ns STREQUAL "" AND NOT _ns MATCHES "^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$")
        message(FATAL_ERROR "ratchet_embed_migrations: NAMESPACE '${_ns}' is not a C++ namespace")
    endif()
    if(_ns STREQUAL "")
        set(_qualified "${_name}")
    else()
        set(_qualified "${_ns}::${_name}")
    endif()

    string(MAKE_C_IDENTIFIER "${target}" _tid)
    set(_out "${CMAKE_CURRENT_BINARY_DIR}/ratchet_embed/${_tid}")
    set(_cpp "${_out}/${_name}.cpp")
    set(_hpp "${_out}/include/${_name}.hpp")
    set(_dep "${_out}/${_name}.d")
    set(_gen "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/ratchet-embed-generate.cmake")

    # The header depends only on the name, so it is written now (only when it changes) and
    # a change in the migrations never recompiles the sources that include it.
    string(REPLACE "\n" " " _dir_comment "${_dir}")
    set(_open "")
    set(_close "")
    if(NOT _ns STREQUAL "")
        set(_open "namespace ${_ns} {\n\n")
        set(_close "\n}  // namespace ${_ns}\n")
    endif()
    file(CONFIGURE OUTPUT "${_hpp}" @ONLY CONTENT
"// Generated by ratchet_embed_migrations() for target ${target}. Do not edit.
// Source directory: ${_dir_comment}
#pragma once

#include <ratchet/migration.hpp>

${_open}/// The migrations compiled in from the directory above: equal to ratchet::load_directory()
/// of that directory when the target was built (names, order, text, checksums, lock file),
/// with origin \"embedded:${_name}\".
[[nodiscard]] ratchet::migration_set ${_name}();
${_close}")

    set(_cmd "${CMAKE_COMMAND}"
        "-DRATCHET_EMBED_DIR=${_dir}"
        "-DRATCHET_EMBED_NAME=${_name}"
        "-DRATCHET_EMBED_NAMESPACE=${_ns}"
        "-DRATCHET_EMBED_OUTPUT=${_cpp}")
    if(CMAKE_GENERATOR MATCHES "Ninja|Makefiles")
        add_custom_command(OUTPUT "${_cpp}"
            COMMAND ${_cmd} "-DRATCHET_EMBED_DEPFILE=${_dep}" -P "${_gen}"
            DEPENDS "${_gen}" "${_dir}" ${arg_DEPENDS}
            DEPFILE "${_dep}"
            COMMENT "Embedding migrations ${_dir} as ${_qualified}()"
            VERBATIM)
    else()
        # No depfile support: glob now, and let the build re-run CMake when the listing changes.
        file(GLOB_RECURSE _inputs CONFIGURE_DEPENDS LIST_DIRECTORIES true "${_dir}/*")
        add_custom_command(OUTPUT "${_cpp}"
            COMMAND ${_cmd} -P "${_gen}"
            DEPENDS "${_gen}" "${_dir}" ${_inputs} ${arg_DEPENDS}
            COMMENT "Embedding migrations ${_dir} as ${_qualified}()"
            VERBATIM)
    endif()
    set_source_files_properties("${_cpp}" PROPERTIES
        GENERATED TRUE SKIP_UNITY_BUILD_INCLUSION ON SKIP_LINTING ON
        SKIP_AUTOMOC ON SKIP_AUTOUIC ON)
    target_sources("${target}" PRIVATE "${_cpp}" "${_hpp}")
    target_include_directories("${target}" PRIVATE "${_out}/include")
endfunction()
