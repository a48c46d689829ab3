# Portable build only (packaging/build-portable.sh): spdlog and fmt header-only, so that nothing of
# them is linked dynamically (Debian ships libspdlog/libfmt as shared libraries only).
if(NOT TARGET spdlog::spdlog)
    add_library(spdlog::spdlog INTERFACE IMPORTED)
    set_target_properties(spdlog::spdlog PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${RATCHET_PORTABLE_EXTRA_INCLUDE}"
        INTERFACE_COMPILE_DEFINITIONS "SPDLOG_HEADER_ONLY;SPDLOG_FMT_EXTERNAL;FMT_HEADER_ONLY")
endif()
set(spdlog_FOUND TRUE)
set(spdlog_VERSION 1.10.0)
