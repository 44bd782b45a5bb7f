#include "store_backends.hpp"

#include "weft/store/store_factory.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <random>
#include <stdexcept>
#include <unistd.h>

namespace weft::test {

std::vector<std::string> store_backends() {
  const char* url = std::getenv("WEFT_TEST_POSTGRES");
  if (url && *url) return {"sqlite", "postgresql"};
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") throw std::runtime_error("CI=true but WEFT_TEST_POSTGRES is not set: the PostgreSQL store is untested");
  static bool warned = false;
  if (!warned) {
    std::cerr << "WARNING: WEFT_TEST_POSTGRES is not set: store tests run on SQLite only (packaging/dev.sh test runs both)\n";
    warned = true;
  }
  return {"sqlite"};
}

std::string fresh_store_location(const std::string& backend, const TempDir& dir) {
  if (backend == "sqlite") return "sqlite:" + (dir.path() / "weft.db").string();
  static std::atomic<int> counter{0};
  const std::string url = std::getenv("WEFT_TEST_POSTGRES");
  const std::string schema = "t" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(std::random_device{}() % 100000);
  PGconn* conn = PQconnectdb(url.c_str());
  PGresult* r = PQexec(conn, ("CREATE SCHEMA " + schema).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  const std::string why = PQerrorMessage(conn);
  PQclear(r);
  PQfinish(conn);
  if (!ok) throw std::runtime_error("cannot create a test schema in " + url + ": " + why);
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

std::unique_ptr<Store> open_fresh_store(const std::string& backend, const TempDir& dir) {
  return open_store(fresh_store_location(backend, dir));
}

}  // namespace weft::test
