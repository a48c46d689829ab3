/// @file export.hpp
/// Symbol visibility for the ratchet library (static by default, shared optional).
#pragma once

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
