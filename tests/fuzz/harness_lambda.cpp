// The Lambda adapter's hostile inputs: the invocation payload, the Secrets Manager
// SecretString, and the SigV4 canonicaliser (lambda/src, target ratchet_lambda_core).
#include "harness.hpp"

#include "aws/redact.hpp"
#include "aws/secrets.hpp"
#include "aws/sigv4.hpp"
#include "cfn/event.hpp"

#include <algorithm>
#include <cctype>

using ratchet_fuzz::check;

int fuzz_lambda_event(const std::uint8_t* data, std::size_t size) {
    constexpr std::string_view target = "lambda_event";
    const std::string payload{ratchet_fuzz::bytes(data, size)};
    try {
        const auto ev = ratchet::lambda::parse_event(payload);
        if (const auto* cfn = std::get_if<ratchet::lambda::cfn_event>(&ev)) {
            check(cfn->type == ratchet::lambda::request_type::create ||
                      !cfn->physical_resource_id.empty(),
                  target, "Update/Delete accepted without PhysicalResourceId");
            for (const auto* props : {&cfn->props, &cfn->old_props}) {
                for (const auto& [k, v] : *props) {
                    (void)ratchet::lambda::prop(*props, k);
                    try {
                        (void)ratchet::lambda::prop_bool(*props, k);
                    } catch (const ratchet::lambda::bad_event&) {
                    }
                }
            }
            (void)ratchet::lambda::to_string(cfn->type);
        } else {
            const auto& cmd = std::get<ratchet::lambda::command_event>(ev);
            check(cmd.command == "status" || cmd.command == "plan" || cmd.command == "deploy",
                  target, "unknown command accepted");
        }
    } catch (const ratchet::lambda::bad_event& e) {
        // The message is answered to the caller: it must not echo the payload (which holds the
        // ResponseURL, a pre-signed secret). Only meaningful for long payloads.
        if (payload.size() >= 24) {
            check(std::string_view{e.what()}.find(payload) == std::string_view::npos, target,
                  "bad_event echoes the payload");
        }
    }
    return 0;
}

int fuzz_lambda_secret(const std::uint8_t* data, std::size_t size) {
    constexpr std::string_view target = "lambda_secret";
    const std::string text{ratchet_fuzz::bytes(data, size)};
    try {
        const auto s = ratchet::lambda::parse_db_secret(text);
        check(!s.username.empty() && !s.password.empty(), target,
              "secret accepted without username/password");
        if (s.password.size() >= 4) {
            check(ratchet::lambda::redact("x" + s.password + "x").find(s.password) ==
                      std::string::npos,
                  target, "the secret's password is not redacted");
        }
    } catch (const ratchet::lambda::secret_error& e) {
        check(e.code() == "InvalidSecret", target, "parse error code is not InvalidSecret");
        // Only texts the fixed messages cannot contain (they hold no digits).
        if (text.size() >= 12 && std::any_of(text.begin(), text.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c)) != 0;
            })) {
            check(std::string_view{e.what()}.find(text) == std::string_view::npos, target,
                  "secret_error quotes the secret");
        }
    }
    ratchet::lambda::clear_invoke_secrets();  // keep the process-wide registry small
    return 0;
}

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        const auto p = s.find(sep);
        out.push_back(s.substr(0, p));
        if (p == std::string_view::npos) return out;
        s.remove_prefix(p + 1);
    }
}

bool canonical_query_chars(std::string_view q) {
    return std::all_of(q.begin(), q.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' ||
               c == '.' || c == '~' || c == '%' || c == '=' || c == '&';
    });
}

bool lower_hex64(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

}  // namespace

// Input lines: METHOD, PATH, QUERY (k=v&k=v, already decoded), then header lines "Name: value"
// up to an empty line, then the body.
int fuzz_sigv4(const std::uint8_t* data, std::size_t size) {
    constexpr std::string_view target = "sigv4";
    namespace sig = ratchet::lambda::sigv4;
    const std::string_view in = ratchet_fuzz::bytes(data, size);
    auto lines = split(in, '\n');
    while (lines.size() < 3) lines.emplace_back();
    sig::request req;
    req.method = std::string{lines[0]};
    req.path = std::string{lines[1]};
    if (!lines[2].empty()) {
        for (const auto item : split(lines[2], '&')) {
            const auto eq = item.find('=');
            req.query.emplace_back(
                std::string{item.substr(0, eq)},
                eq == std::string_view::npos ? "" : std::string{item.substr(eq + 1)});
        }
    }
    std::size_t i = 3;
    for (; i < lines.size() && !lines[i].empty(); ++i) {
        const auto colon = lines[i].find(':');
        req.headers.emplace_back(
            std::string{lines[i].substr(0, colon)},
            colon == std::string_view::npos ? "" : std::string{lines[i].substr(colon + 1)});
    }
    for (++i; i < lines.size(); ++i)
        req.body += std::string{lines[i]} + (i + 1 < lines.size() ? "\n" : "");
    if (std::none_of(req.headers.begin(), req.headers.end(),
                     [](const auto& h) { return h.first == "Host"; })) {
        req.headers.emplace_back("Host", "secretsmanager.eu-west-1.amazonaws.com");
    }

    for (const bool normalize : {true, false}) {
        const std::string uri = sig::canonical_uri(req.path, normalize);
        check(!normalize || (!uri.empty() && uri.front() == '/'), target,
              "canonical URI does not start with /");
        if (normalize) {
            check(uri.find("//") == std::string::npos, target, "normalised URI holds //");
            check(uri.find("/./") == std::string::npos && uri.find("/../") == std::string::npos,
                  target, "normalised URI holds a dot segment");
            check(sig::canonical_uri(uri, true) == uri || uri.find('%') != std::string::npos,
                  target, "normalising is not idempotent");
        }
    }
    const std::string q = sig::canonical_query(req.query);
    check(canonical_query_chars(q), target,
          "canonical query holds a character that is not encoded");
    (void)sig::query_string(req.query);

    const sig::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                 in.size() % 2 == 0 ? "" : "token"};
    sig::settings s;
    s.region = "eu-west-1";
    s.service = "secretsmanager";
    s.time = std::chrono::system_clock::time_point{std::chrono::seconds{1440938160}};
    s.sign_body = in.size() % 3 == 0;
    sig::request a = req;
    sig::request b = req;
    const auto ra = sig::sign_headers(a, creds, s);
    const auto rb = sig::sign_headers(b, creds, s);
    check(lower_hex64(ra.signature), target, "signature is not 64 lower-case hex digits");
    check(ra.signature == rb.signature && ra.canonical_request == rb.canonical_request, target,
          "signing is not deterministic");
    sig::request p = req;
    const auto rp = sig::presign(p, creds, s);
    check(lower_hex64(rp.signature), target, "presigned signature is not 64 lower-case hex digits");
    ratchet::lambda::clear_invoke_secrets();
    return 0;
}
