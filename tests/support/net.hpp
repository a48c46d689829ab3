// Test support: loopback sockets for the fakes and proxies the tests put between ratchet and a
// server (IPv4 127.0.0.1 only; nothing listens anywhere else).
//
//   int port = 0;
//   const int listener = ratchet_test::listen_loopback(port);  // then accept(listener, ...)
//   const int upstream = ratchet_test::connect_loopback(5432);  // -1 when refused
#pragma once

namespace ratchet_test {

/// A listening TCP socket (close-on-exec, backlog 64) on 127.0.0.1 and a port the kernel
/// picks, returned in `port`; throws when it cannot listen.
int listen_loopback(int& port);

/// A 127.0.0.1 port nothing listens on (listened on, then closed): connecting is refused.
int closed_loopback_port();

/// A TCP socket (close-on-exec) connected to 127.0.0.1:port, or -1 when it cannot connect.
int connect_loopback(int port);

}  // namespace ratchet_test
