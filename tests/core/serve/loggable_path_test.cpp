// A request's path as the log may show it (SPEC 8): no query, no identifier values.
#include "weft/serve/http/loggable_path.hpp"

#include <catch2/catch.hpp>

using weft::http::loggable_path;

TEST_CASE("loggable path: the query is removed and segments that may hold an identifier are starred") {
  CHECK(loggable_path("/profiles?identifier=email:jane@example.com") == "/profiles");
  CHECK(loggable_path("/profiles/0190b2a4-7c1e-7000-8000-000000000001/events?after=x&limit=5") ==
        "/profiles/0190b2a4-7c1e-7000-8000-000000000001/events");
  CHECK(loggable_path("/profiles/0190b2a4/identifiers/email:jane@example.com") == "/profiles/0190b2a4/identifiers/*");
  CHECK(loggable_path("/profiles/0190b2a4/identifiers/email%3Ajane%40example.com/x") == "/profiles/0190b2a4/identifiers/*/x");
  CHECK(loggable_path("/blocked/phone:+4930") == "/blocked/*");
  CHECK(loggable_path("/") == "/");
  CHECK(loggable_path("") == "");
}
