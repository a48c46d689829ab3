# Portable build only: nlohmann-json from the copied headers.
if(NOT TARGET nlohmann_json::nlohmann_json)
    add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
    set_target_properties(nlohmann_json::nlohmann_json PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${RATCHET_PORTABLE_EXTRA_INCLUDE}")
endif()
set(nlohmann_json_FOUND TRUE)
