/* Linked into the portable (fully static) ratchet only; see packaging/README.md.
 *
 * 1. NSS pinning. A static glibc has the "files" and "dns" NSS services built in, but for any other
 *    service named in the host's /etc/nsswitch.conf (mdns4_minimal, resolve, sss, ldap, ...) it
 * would dlopen() the host's libnss_*.so.2, built against the host's libc.so.6, into a static
 * process: undefined behaviour at best. Before main() we pin the databases libpq uses (hosts for
 *    getaddrinfo, passwd for the default user name and ~/.pgpass) to the built-in services, so the
 *    binary reads /etc/hosts, /etc/resolv.conf and /etc/passwd like any program and never loads a
 *    shared object.
 *
 * 2. GSSAPI and LDAP stubs. Debian's libpq.a is built with GSSAPI (Kerberos) and LDAP service
 * lookup; Debian ships no static libgssapi_krb5/libldap. ratchet uses neither (RDS and Aurora do
 * not offer Kerberos to ordinary clients through libpq's GSS path, and LDAP is only for
 * pg_service.conf "ldap://" entries), so these stubs fail cleanly: gss_acquire_cred reports "no
 * credentials", which is what libpq sees on any machine without a Kerberos ticket
 * (gssencmode=prefer falls back to TLS or plain), a server asking for GSS authentication gets a
 * clear error, and an ldap:// service entry fails with libpq's "could not create LDAP structure".
 */
#include <nss.h>
#include <stddef.h>
#include <stdint.h>

__attribute__((constructor)) static void ratchet_portable_pin_nss(void) {
    (void)__nss_configure_lookup("hosts", "files dns");
    (void)__nss_configure_lookup("passwd", "files");
    (void)__nss_configure_lookup("group", "files");
}

/* ---- GSSAPI (RFC 2744 C bindings, only what libpq references) -------------------------------- */
typedef uint32_t OM_uint32;
typedef struct {
    OM_uint32 length;
    void* elements;
} gss_OID_desc;
typedef struct {
    size_t length;
    void* value;
} gss_buffer_desc;

#define GSS_S_FAILURE ((OM_uint32)13 << 16)
#define GSS_S_UNAVAILABLE ((OM_uint32)16 << 16)

static gss_OID_desc hostbased_service_oid = {10, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"};
gss_OID_desc* GSS_C_NT_HOSTBASED_SERVICE = &hostbased_service_oid;

static OM_uint32 unavailable(OM_uint32* minor) {
    if (minor) *minor = 0;
    return GSS_S_UNAVAILABLE;
}

OM_uint32 gss_acquire_cred(OM_uint32* minor, void* name, OM_uint32 time_req, void* mechs, int usage,
                           void** cred, void** actual_mechs, OM_uint32* time_rec) {
    (void)name, (void)time_req, (void)mechs, (void)usage;
    if (cred) *cred = NULL;
    if (actual_mechs) *actual_mechs = NULL;
    if (time_rec) *time_rec = 0;
    if (minor) *minor = 0;
    return GSS_S_FAILURE;
}
OM_uint32 gss_import_name(OM_uint32* minor, gss_buffer_desc* in, gss_OID_desc* type, void** out) {
    (void)in, (void)type;
    if (out) *out = NULL;
    return unavailable(minor);
}
OM_uint32 gss_init_sec_context(OM_uint32* minor, void* cred, void** ctx, void* target, void* mech,
                               OM_uint32 flags, OM_uint32 time_req, void* bindings,
                               gss_buffer_desc* in, void** actual_mech, gss_buffer_desc* out,
                               OM_uint32* ret_flags, OM_uint32* time_rec) {
    (void)cred, (void)ctx, (void)target, (void)mech, (void)flags, (void)time_req, (void)bindings;
    (void)in, (void)actual_mech, (void)ret_flags, (void)time_rec;
    if (out) {
        out->length = 0;
        out->value = NULL;
    }
    return unavailable(minor);
}
OM_uint32 gss_display_status(OM_uint32* minor, OM_uint32 status, int type, gss_OID_desc* mech,
                             OM_uint32* message_context, gss_buffer_desc* text) {
    static char message[] = "GSSAPI (Kerberos) is not supported by this portable build of ratchet";
    (void)status, (void)type, (void)mech;
    if (message_context) *message_context = 0;
    if (text) {
        text->length = sizeof message - 1;
        text->value = message;
    }
    if (minor) *minor = 0;
    return 0;
}
OM_uint32 gss_release_buffer(OM_uint32* minor, gss_buffer_desc* buffer) {
    if (buffer) { /* the only buffer we hand out is static */
        buffer->length = 0;
        buffer->value = NULL;
    }
    if (minor) *minor = 0;
    return 0;
}
OM_uint32 gss_release_cred(OM_uint32* minor, void** cred) {
    if (cred) *cred = NULL;
    return minor ? (*minor = 0) : 0;
}
OM_uint32 gss_release_name(OM_uint32* minor, void** name) {
    if (name) *name = NULL;
    return minor ? (*minor = 0) : 0;
}
OM_uint32 gss_delete_sec_context(OM_uint32* minor, void** ctx, gss_buffer_desc* out) {
    if (ctx) *ctx = NULL;
    if (out) {
        out->length = 0;
        out->value = NULL;
    }
    return minor ? (*minor = 0) : 0;
}
OM_uint32 gss_wrap(OM_uint32* minor, void* ctx, int conf, OM_uint32 qop, gss_buffer_desc* in,
                   int* conf_state, gss_buffer_desc* out) {
    (void)ctx, (void)conf, (void)qop, (void)in, (void)conf_state, (void)out;
    return unavailable(minor);
}
OM_uint32 gss_unwrap(OM_uint32* minor, void* ctx, gss_buffer_desc* in, gss_buffer_desc* out,
                     int* conf_state, OM_uint32* qop) {
    (void)ctx, (void)in, (void)out, (void)conf_state, (void)qop;
    return unavailable(minor);
}
OM_uint32 gss_wrap_size_limit(OM_uint32* minor, void* ctx, int conf, OM_uint32 qop,
                              OM_uint32 req_output_size, OM_uint32* max_input) {
    (void)ctx, (void)conf, (void)qop, (void)req_output_size;
    if (max_input) *max_input = 0;
    return unavailable(minor);
}

/* ---- LDAP (pg_service.conf "ldap://" lookups only) --------------------------------------------
 */
void* ldap_init(const char* host, int port) {
    (void)host, (void)port;
    return NULL; /* libpq: "could not create LDAP structure" */
}
/* Never reached without an LDAP handle; defined so the static link resolves. */
int ldap_set_option(void* ld, int option, const void* value) {
    (void)ld, (void)option, (void)value;
    return -1;
}
int ldap_simple_bind(void* ld, const char* who, const char* passwd) {
    (void)ld, (void)who, (void)passwd;
    return -1;
}
int ldap_search_st(void* ld, const char* base, int scope, const char* filter, char** attrs,
                   int attrsonly, void* timeout, void** res) {
    (void)ld, (void)base, (void)scope, (void)filter, (void)attrs, (void)attrsonly, (void)timeout;
    if (res) *res = NULL;
    return -1;
}
int ldap_result(void* ld, int msgid, int all, void* timeout, void** res) {
    (void)ld, (void)msgid, (void)all, (void)timeout;
    if (res) *res = NULL;
    return -1;
}
int ldap_count_entries(void* ld, void* chain) {
    (void)ld, (void)chain;
    return -1;
}
void* ldap_first_entry(void* ld, void* chain) {
    (void)ld, (void)chain;
    return NULL;
}
void** ldap_get_values_len(void* ld, void* entry, const char* attr) {
    (void)ld, (void)entry, (void)attr;
    return NULL;
}
void ldap_value_free_len(void** values) {
    (void)values;
}
int ldap_msgfree(void* msg) {
    (void)msg;
    return 0;
}
int ldap_unbind(void* ld) {
    (void)ld;
    return 0;
}
char* ldap_err2string(int err) {
    static char message[] = "LDAP is not supported by this portable build of ratchet";
    (void)err;
    return message;
}
