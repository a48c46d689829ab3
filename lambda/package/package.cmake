# Builds the Lambda zip (cmake -P), in a static tree only (packaging/build-portable.sh). Layout:
#   bootstrap                    the runtime: one fully static executable, stripped (no loader, no lib/)
#   migrations/                  the bundled migrations (RATCHET_LAMBDA_MIGRATIONS_DIR)
#   certs/rds-global-bundle.pem  when RATCHET_LAMBDA_CA_BUNDLE is given (see lambda/README.md)
#   certs/system-ca.pem          the build machine's CA store, fallback for HTTPS to AWS endpoints
# Reproducible: entries sorted, modes fixed, mtimes SOURCE_DATE_EPOCH (else 1980-01-01), no extra
# attributes (zip -X), times written in UTC.
# Inputs: BOOTSTRAP MIGRATIONS_DIR CA_BUNDLE STAGING ZIP ZIP_PROGRAM STRIP
cmake_minimum_required(VERSION 3.21)

file(REMOVE_RECURSE "${STAGING}")
file(MAKE_DIRECTORY "${STAGING}/certs" "${STAGING}/migrations")

function(stage_file src dst mode)
    file(REAL_PATH "${src}" real)
    file(COPY_FILE "${real}" "${dst}")
    file(CHMOD "${dst}" PERMISSIONS ${mode})
endfunction()

set(exe_mode OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(file_mode OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# The bootstrap must need nothing from the image: no program interpreter, no NEEDED entry.
execute_process(COMMAND readelf -l -d "${BOOTSTRAP}" OUTPUT_VARIABLE elf COMMAND_ERROR_IS_FATAL ANY)
if(elf MATCHES "INTERP" OR elf MATCHES "\\(NEEDED\\)")
    message(FATAL_ERROR "${BOOTSTRAP} is not fully static; the Lambda zip is built by "
                        "packaging/build-portable.sh (or the ratchet_lambda_zip target, which runs it)")
endif()
stage_file("${BOOTSTRAP}" "${STAGING}/bootstrap" "${exe_mode}")
if(STRIP)
    execute_process(COMMAND "${STRIP}" --strip-all "${STAGING}/bootstrap" COMMAND_ERROR_IS_FATAL ANY)
endif()

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

# A fallback CA store for HTTPS (Secrets Manager) when the image has none at the usual paths
# (provided.al2023 has /etc/pki/tls/certs/ca-bundle.crt, which the client tries first).
if(EXISTS /etc/ssl/certs/ca-certificates.crt)
    stage_file(/etc/ssl/certs/ca-certificates.crt "${STAGING}/certs/system-ca.pem" "${file_mode}")
endif()

# Fixed modes and times, sorted entries.
set(epoch "$ENV{SOURCE_DATE_EPOCH}")
if(NOT epoch)
    set(epoch 315532800)
endif()
file(GLOB_RECURSE entries LIST_DIRECTORIES true RELATIVE "${STAGING}" "${STAGING}/*")
list(SORT entries)
set(list_file "${STAGING}/../zip-entries.txt")
list(JOIN entries "\n" listing)
file(WRITE "${list_file}" "${listing}\n")
foreach(e IN LISTS entries)
    if(IS_DIRECTORY "${STAGING}/${e}")
        file(CHMOD "${STAGING}/${e}" PERMISSIONS ${exe_mode})
    endif()
endforeach()
execute_process(COMMAND touch -h -d "@${epoch}" ${entries} WORKING_DIRECTORY "${STAGING}"
                COMMAND_ERROR_IS_FATAL ANY)

file(REMOVE "${ZIP}")
execute_process(COMMAND ${CMAKE_COMMAND} -E env TZ=UTC "${ZIP_PROGRAM}" -q -X -D -9 "${ZIP}" -@
                INPUT_FILE "${list_file}" WORKING_DIRECTORY "${STAGING}" COMMAND_ERROR_IS_FATAL ANY)
file(SIZE "${ZIP}" zipped)
file(SIZE "${STAGING}/bootstrap" bootstrap_size)
message(STATUS "Lambda zip: ${ZIP} (${zipped} bytes; bootstrap ${bootstrap_size} bytes, static)")
