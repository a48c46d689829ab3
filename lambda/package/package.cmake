# Builds the Lambda zip (cmake -P). Layout:
#   bootstrap                  static launcher (execs the loader below; no shell, no image library)
#   bin/bootstrap              the runtime
#   lib/ld-linux-x86-64.so.2   the build machine's dynamic loader, and every shared library the
#   lib/*.so*                  runtime needs, glibc included (provided.al2023 has glibc 2.34 only)
#   migrations/                the bundled migrations (RATCHET_LAMBDA_MIGRATIONS_DIR)
#   certs/rds-global-bundle.pem  when RATCHET_LAMBDA_CA_BUNDLE is given (see lambda/README.md)
#   certs/system-ca.pem        the build machine's CA store, fallback for HTTPS to AWS endpoints
# Inputs: BOOTSTRAP LAUNCHER MIGRATIONS_DIR CA_BUNDLE STAGING ZIP ZIP_PROGRAM STRIP
cmake_minimum_required(VERSION 3.21)

file(REMOVE_RECURSE "${STAGING}")
file(MAKE_DIRECTORY "${STAGING}/bin" "${STAGING}/lib" "${STAGING}/certs" "${STAGING}/migrations")

function(stage_file src dst mode)
    file(REAL_PATH "${src}" real)
    file(COPY_FILE "${real}" "${dst}")
    file(CHMOD "${dst}" PERMISSIONS ${mode})
endfunction()

set(exe_mode OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(file_mode OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

stage_file("${LAUNCHER}" "${STAGING}/bootstrap" "${exe_mode}")
stage_file("${BOOTSTRAP}" "${STAGING}/bin/bootstrap" "${exe_mode}")
if(STRIP)
    execute_process(COMMAND "${STRIP}" --strip-unneeded "${STAGING}/bin/bootstrap" "${STAGING}/bootstrap"
                    COMMAND_ERROR_IS_FATAL ANY)
endif()

# Every shared library of the runtime, transitively, glibc and libstdc++ included.
file(GET_RUNTIME_DEPENDENCIES EXECUTABLES "${BOOTSTRAP}"
     RESOLVED_DEPENDENCIES_VAR deps UNRESOLVED_DEPENDENCIES_VAR missing)
if(missing)
    message(FATAL_ERROR "unresolved shared libraries: ${missing}")
endif()
foreach(dep IN LISTS deps)
    get_filename_component(name "${dep}" NAME)
    stage_file("${dep}" "${STAGING}/lib/${name}" "${exe_mode}")
endforeach()
# The loader is the program interpreter, not a NEEDED entry of the executable.
execute_process(COMMAND readelf -l "${BOOTSTRAP}" OUTPUT_VARIABLE phdrs COMMAND_ERROR_IS_FATAL ANY)
string(REGEX MATCH "interpreter: ([^]]+)\\]" _ "${phdrs}")
stage_file("${CMAKE_MATCH_1}" "${STAGING}/lib/ld-linux-x86-64.so.2" "${exe_mode}")

if(EXISTS "${MIGRATIONS_DIR}")
    file(COPY "${MIGRATIONS_DIR}/" DESTINATION "${STAGING}/migrations")
else()
    message(WARNING "RATCHET_LAMBDA_MIGRATIONS_DIR ${MIGRATIONS_DIR} does not exist: the zip has no migrations")
endif()

if(CA_BUNDLE)
    stage_file("${CA_BUNDLE}" "${STAGING}/certs/rds-global-bundle.pem" "${file_mode}")
else()
    file(WRITE "${STAGING}/certs/README.txt"
        "No RDS CA bundle was given at build time (cmake -DRATCHET_LAMBDA_CA_BUNDLE=/path/global-bundle.pem).\n"
        "Without certs/rds-global-bundle.pem the runtime verifies the server against the system CA file\n"
        "(or RATCHET_SSLROOTCERT), which does not contain the RDS CAs. See lambda/README.md.\n")
endif()

# A fallback CA store for HTTPS (Secrets Manager) when the image has none at the usual paths.
if(EXISTS /etc/ssl/certs/ca-certificates.crt)
    stage_file(/etc/ssl/certs/ca-certificates.crt "${STAGING}/certs/system-ca.pem" "${file_mode}")
endif()

file(REMOVE "${ZIP}")
if(ZIP_PROGRAM)
    execute_process(COMMAND "${ZIP_PROGRAM}" -q -r -X -9 "${ZIP}" .
                    WORKING_DIRECTORY "${STAGING}" COMMAND_ERROR_IS_FATAL ANY)
else()
    file(GLOB entries RELATIVE "${STAGING}" "${STAGING}/*")
    execute_process(COMMAND "${CMAKE_COMMAND}" -E tar cf "${ZIP}" --format=zip ${entries}
                    WORKING_DIRECTORY "${STAGING}" COMMAND_ERROR_IS_FATAL ANY)
endif()
file(SIZE "${ZIP}" zipped)
message(STATUS "Lambda zip: ${ZIP} (${zipped} bytes)")
