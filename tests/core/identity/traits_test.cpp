#include "weft/event/json.hpp"
#include "weft/identity/traits.hpp"

#include <catch2/catch.hpp>

#include <chrono>

namespace {

std::string merged(const std::string& survivor, const std::string& other, weft::TraitPolicy policy = weft::TraitPolicy::keep_survivor,
                   std::int64_t survivor_updated = 1, std::int64_t other_updated = 2) {
  return weft::merge_traits({survivor, survivor_updated}, {other, other_updated}, policy);
}

rapidjson::Value parsed(const std::string& json, rapidjson::Document& doc) {
  rapidjson::Value v;
  REQUIRE(weft::parse_json(json, v, doc.GetAllocator(), 64).ok);
  return v;
}

// {"k0":"<prefix>0",...} with `count` keys.
std::string wide_object(int count, const std::string& prefix) {
  std::string json = "{";
  for (int i = 0; i < count; ++i) json += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"" + prefix + std::to_string(i) + "\"";
  return json + "}";
}

}  // namespace

TEST_CASE("traits merge key by key, nested objects too, with the policy's side winning") {
  CHECK(merged(R"({"name":"Jane","a":{"x":1}})", R"({"name":"J.","plan":"pro","a":{"x":2,"y":3}})") ==
        R"({"name":"Jane","a":{"x":1,"y":3},"plan":"pro"})");
  CHECK(merged(R"({"name":"Jane","a":{"x":1}})", R"({"name":"J.","a":{"x":2,"y":3}})", weft::TraitPolicy::most_recent) ==
        R"({"name":"J.","a":{"x":2,"y":3}})");
  CHECK(merged(R"({"a":{"x":1}})", R"({"a":"flat"})") == R"({"a":{"x":1}})");  // never turned into a list
  CHECK(merged(R"({"a":1})", R"({"b":1,"b":2})") == R"({"a":1,"b":1})");       // a name given twice is added once
  CHECK(merged("not json", R"({"b":1})") == R"({"b":1})");                      // a store edited by hand
}

TEST_CASE("merging two 100,000-key trait objects is linear") {
  // RapidJSON's FindMember per key made this quadratic (a 60,000-key merge took over 5 s).
  const std::string a = R"({"name":)" + wide_object(100000, "a") + "}";
  const std::string b = R"({"name":)" + wide_object(100000, "b") + R"(,"extra":)" + wide_object(100000, "e") + "}";
  const auto start = std::chrono::steady_clock::now();
  const std::string result = merged(a, b);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  rapidjson::Document doc;
  const rapidjson::Value v = parsed(result, doc);
  CHECK(v["name"].MemberCount() == 100000);
  CHECK(std::string(v["name"]["k99999"].GetString()) == "a99999");
  CHECK(v["extra"].MemberCount() == 100000);
}

TEST_CASE("trait values compare in linear time, containers by their text") {
  rapidjson::Document doc;
  CHECK(weft::same_value(parsed(R"("x")", doc), parsed(R"("x")", doc)));
  CHECK_FALSE(weft::same_value(parsed(R"("1")", doc), parsed("1", doc)));
  CHECK(weft::same_value(parsed(R"({"a":[1,{"b":2}]})", doc), parsed(R"({"a":[1,{"b":2}]})", doc)));
  CHECK_FALSE(weft::same_value(parsed(R"({"a":1})", doc), parsed(R"({"a":2})", doc)));
  CHECK_FALSE(weft::same_value(parsed(R"([1])", doc), parsed(R"({"0":1})", doc)));
  const std::string wide = wide_object(100000, "v");
  const auto start = std::chrono::steady_clock::now();
  CHECK(weft::same_value(parsed(wide, doc), parsed(wide, doc)));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
}
