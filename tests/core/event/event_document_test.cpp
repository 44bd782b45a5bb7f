#include "weft/event/event_document.hpp"
#include "weft/event/json.hpp"

#include <catch2/catch.hpp>

using weft::EventDocument;
using weft::JsonPath;

namespace {
rapidjson::Value text(EventDocument& doc, const char* s) { return rapidjson::Value(s, doc.allocator()); }
}  // namespace

TEST_CASE("a new event document has the SPEC 4 members") {
  EventDocument doc;
  CHECK(weft::to_json(doc.root()) ==
        R"({"id":"","source":"","type":"webhook","received_at":"","profile_id":null,"payload":{},"properties":{},"headers":{}})");
  doc.set_string("source", "slack");
  CHECK(doc.string("source") == "slack");
  CHECK(doc.string("profile_id").empty());
}

TEST_CASE("writes create objects along the path and replace existing values") {
  EventDocument doc;
  doc.write(JsonPath::parse("$.properties.a.b['c d']"), text(doc, "x"));
  doc.write(JsonPath::parse("$.properties.a.e"), text(doc, "y"));
  doc.write(JsonPath::parse("$.properties.a.e"), text(doc, "z"));
  CHECK(weft::to_json(doc.root()["properties"]) == R"({"a":{"b":{"c d":"x"},"e":"z"}})");
  doc.write(JsonPath::parse("$.type"), text(doc, "message"));
  CHECK(doc.string("type") == "message");
}

TEST_CASE("writes into arrays need the element to exist: negative indexes count from the end") {
  EventDocument doc;
  rapidjson::Value list(rapidjson::kArrayType);
  list.PushBack(1, doc.allocator()).PushBack(2, doc.allocator());
  doc.write(JsonPath::parse("$.payload.list"), std::move(list));
  doc.write(JsonPath::parse("$.payload.list[-1]"), text(doc, "last"));
  CHECK(weft::to_json(doc.root()["payload"]) == R"({"list":[1,"last"]})");
  CHECK_THROWS_WITH(doc.write(JsonPath::parse("$.payload.list[2]"), text(doc, "x")),
                    "cannot write $.payload.list[2]: index 2 is outside the array");
}

TEST_CASE("writes outside properties, payload and type are refused") {
  EventDocument doc;
  const std::string expected_tail = ": nodes write under $.properties, $.payload or to $.type";
  CHECK_THROWS_WITH(doc.write(JsonPath::parse("$.id"), text(doc, "x")), "cannot write $.id" + expected_tail);
  CHECK_THROWS_WITH(doc.write(JsonPath::parse("$.headers.x"), text(doc, "x")), "cannot write $.headers.x" + expected_tail);
  CHECK_THROWS_WITH(doc.write(JsonPath::parse("$"), text(doc, "x")), "cannot write $" + expected_tail);
  CHECK_THROWS_WITH(doc.write(JsonPath::parse("$.type"), rapidjson::Value(3)), "cannot write $.type: $.type takes a string");
  CHECK_THROWS_WITH(doc.write(JsonPath::parse("$.properties"), text(doc, "x")), "cannot write $.properties: it must stay an object");
  doc.write(JsonPath::parse("$.properties.s"), text(doc, "string"));
  CHECK_THROWS_WITH(doc.write(JsonPath::parse("$.properties.s.deeper"), text(doc, "x")),
                    "cannot write $.properties.s.deeper: the value before 'deeper' is not an object");
}

TEST_CASE("a write needs a singular path: one place, names and indexes only") {
  weft::EventDocument doc;
  for (const char* path : {"$.properties[*]", "$.properties..a", "$.properties['a','b']", "$.payload[?@.x]"}) {
    INFO(path);
    CHECK_THROWS_WITH(doc.write(weft::JsonPath::parse(path), rapidjson::Value("x")),
                      std::string("cannot write ") + path + ": nodes write to one place, a path of names and indexes only");
  }
}
