/// @file export.hpp
/// Symbol visibility for the ratchet library (static by default, shared optional).
#pragma once

/// @def RATCHET_API
/// Marks the library's exported symbols (default visibility in a shared build, nothing in a
/// static one). RATCHET_SHARED is defined for consumers of a shared build by the CMake target.

#if defined(RATCHET_SHARED)
#    if defined(_WIN32)
#        if defined(RATCHET_BUILDING)
#            define RATCHET_API __declspec(dllexport)
#        else
#            define RATCHET_API __declspec(dllimport)
#        endif
#    else
#        define RATCHET_API __attribute__((visibility("default")))
#    endif
#else
#    define RATCHET_API
#endif
