#include "weft/event/form.hpp"
#include "weft/event/json.hpp"
#include "weft/event/utf8.hpp"

#include <catch2/catch.hpp>

#include <chrono>

namespace {
std::string form(const std::string& body) {
  rapidjson::Document doc;
  rapidjson::Value out;
  const std::string problem = weft::parse_form(body, out, doc.GetAllocator());
  return problem.empty() ? weft::to_json(out) : "error: " + problem;
}
}  // namespace

TEST_CASE("form bodies become an object of strings") {
  CHECK(form("user_id=42&email=jane%40example.com&name=Jane+Doe") == R"({"user_id":"42","email":"jane@example.com","name":"Jane Doe"})");
  CHECK(form("a=1&a=2&&b") == R"({"a":"2","b":""})");
  CHECK(form("") == "{}");
  CHECK(form("city=K%C3%B6ln") == R"({"city":"Köln"})");
}

TEST_CASE("100,000 form fields cost linear work, and a repeated name keeps its last value") {
  std::string body;
  for (int i = 0; i < 100000; ++i) body += "field" + std::to_string(i) + "=v" + std::to_string(i) + "&";
  body += "field7=last";
  rapidjson::Document doc;
  rapidjson::Value out;
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(weft::parse_form(body, out, doc.GetAllocator()).empty());
  // A member scan per field took over 70 s here (issue 14); by hash it is a fraction of a second.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  CHECK(out.MemberCount() == 100000);
  CHECK(std::string(out["field7"].GetString()) == "last");
  CHECK(std::string(out["field99999"].GetString()) == "v99999");
}

TEST_CASE("malformed form bodies are refused with the field") {
  CHECK(form("a=%4") == "error: malformed %-escape in form field 'a'");
  CHECK(form("a=%zz") == "error: malformed %-escape in form field 'a'");
  CHECK(form("a=%ff") == "error: form field 'a' is not valid UTF-8");
}

TEST_CASE("UTF-8 validation follows RFC 3629") {
  CHECK(weft::valid_utf8("plain ASCII"));
  CHECK(weft::valid_utf8("Köln ✓ 𝄞"));
  CHECK_FALSE(weft::valid_utf8("\xff"));
  CHECK_FALSE(weft::valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(weft::valid_utf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(weft::valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(weft::valid_utf8("\xe2\x9c"));          // cut short
}
