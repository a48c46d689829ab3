// libpg_query (PostgreSQL's parser as a library) is needed only by `ratchet lint` and
// `deploy --lint`, but as an ordinary DT_NEEDED library the dynamic loader mapped and relocated
// it at every start (~0.7 ms of the ~10 ms `ratchet --version` took). cli/CMakeLists.txt
// builds this file when ratchet::lint links the shared libpg_query: it defines the two
// functions ratchet::lint calls, so the executable no longer needs the library
// (-Wl,--as-needed drops it), and loads the library on first use.
#include <dlfcn.h>
#include <pg_query.h>

#include <stdexcept>
#include <string>

namespace {

void* pg_query_symbol(const char* name) {
    static void* const lib = dlopen(RATCHET_PG_QUERY_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
        const char* why = dlerror();
        throw std::runtime_error(std::string{"cannot load " RATCHET_PG_QUERY_SONAME
                                             " (PostgreSQL's parser, needed by ratchet lint): "} +
                                 (why != nullptr ? why : "unknown error"));
    }
    void* sym = dlsym(lib, name);
    if (sym == nullptr)
        throw std::runtime_error(std::string{RATCHET_PG_QUERY_SONAME " has no "} + name);
    return sym;
}

}  // namespace

extern "C" PgQueryParseResult pg_query_parse(const char* input) {
    using fn = PgQueryParseResult (*)(const char*);
    static const auto parse = reinterpret_cast<fn>(pg_query_symbol("pg_query_parse"));
    return parse(input);
}

extern "C" void pg_query_free_parse_result(PgQueryParseResult result) {
    using fn = void (*)(PgQueryParseResult);
    static const auto free_result =
        reinterpret_cast<fn>(pg_query_symbol("pg_query_free_parse_result"));
    free_result(result);
}
