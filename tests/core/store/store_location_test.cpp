#include "weft/store/store_factory.hpp"
#include "weft/store/store_location.hpp"

#include <catch2/catch.hpp>

TEST_CASE("a store URL is shown without its password") {
  CHECK(weft::redacted_location("postgresql://weft:s3cr%40t@db.internal:5432/weft") == "postgresql://weft:***@db.internal:5432/weft");
  CHECK(weft::redacted_location("postgres://weft:pw@db/weft?sslmode=require&password=other") ==
        "postgres://weft:***@db/weft?sslmode=require&password=***");
  CHECK(weft::redacted_location("postgresql://weft@db/weft?password=pw") == "postgresql://weft@db/weft?password=***");
  CHECK(weft::redacted_location("postgresql://weft@db/weft") == "postgresql://weft@db/weft");
  CHECK(weft::redacted_location("sqlite:./var/weft.db") == "sqlite:./var/weft.db");
  CHECK(weft::redacted_location("postgresql://db:5432/weft") == "postgresql://db:5432/weft");  // a port is no password
  CHECK(weft::without_password("connection to server failed: password pw2 rejected", "postgresql://u:pw2@h/d") ==
        "connection to server failed: password *** rejected");
}

TEST_CASE("store errors never carry the password") {
  try {
    weft::open_store("postgresq://weft:hunter2@127.0.0.1:1/weft");
    FAIL("an unknown scheme opened");
  } catch (const weft::StoreError& e) {
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
    CHECK(std::string(e.what()).find("postgresq://weft:***@127.0.0.1:1/weft") != std::string::npos);
  }
  try {
    weft::open_store("postgresql://weft:hunter2@127.0.0.1:1/weft?connect_timeout=2");  // nothing listens on port 1
    FAIL("a store opened on port 1");
  } catch (const weft::StoreError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
    CHECK(std::string(e.what()).find("cannot connect to the PostgreSQL store postgresql://weft:***@127.0.0.1:1/weft") == 0);
  }
}
