// A real weft serve on the test workflows and a fresh store of one backend, with short calls,
// for the integration tests of operations (SPEC 13, 14).
#pragma once

#include "server_process.hpp"
#include "store_backends.hpp"
#include "test_workflows.hpp"

namespace weft::test {

struct Served {
  TempDir dir;
  ServerProcess server;
  explicit Served(const std::string& backend)
      : server(dir, [&] {
          auto o = test_serve_options(dir);
          o.store = fresh_store_location(backend, dir);
          return o;
        }()) {}
  HttpResponse post(const std::string& path, const std::string& body) { return http(server.port(), "POST", path, body); }
  HttpResponse get(const std::string& path) { return http(server.port(), "GET", path); }
  HttpResponse erase(const std::string& path) { return http(server.port(), "DELETE", path); }
  // The live profile holding TYPE:VALUE; empty when none.
  std::string holder(const std::string& identifier) { return json_member(get("/profiles?identifier=" + identifier).body, "$.profiles[0].id"); }
  std::string profile_of(const std::string& user) { return holder("people:" + user); }
};

}  // namespace weft::test
