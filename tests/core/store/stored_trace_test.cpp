#include "weft/store/stored_trace.hpp"

#include "weft/store/store.hpp"

#include <catch2/catch.hpp>

using weft::TraceShape;
using weft::TraceShapes;

namespace {

TraceShape slack_like() {
  return TraceShape({{"receive", "webhook_trigger", {"out", "error"}}, {"kind", "switch", {"bot", "default", "error"}}});
}

// A loader over one shape, counting its calls.
struct OneShape {
  const TraceShape& shape;
  int loads = 0;
  std::optional<std::string> operator()(std::string_view key) {
    ++loads;
    if (key == shape.key) return shape.json;
    return std::nullopt;
  }
};

}  // namespace

TEST_CASE("a compact trace expands to the SPEC 8 array of the shape it ran with") {
  const TraceShape shape = slack_like();
  CHECK(shape.key.size() == 16);
  const std::string stored = weft::compact_trace(shape, {{0, 0, 41}, {1, 2, 3}});
  CHECK(stored == shape.key + ":0.0.41,1.2.3");
  OneShape loader{shape};
  TraceShapes shapes;
  const std::string expected = R"([{"node":"receive","plugin":"webhook_trigger","port":"out","micros":41},)"
                               R"({"node":"kind","plugin":"switch","port":"error","micros":3}])";
  CHECK(shapes.expand(stored, std::ref(loader)) == expected);
  CHECK(shapes.expand(stored, std::ref(loader)) == expected);
  CHECK(loader.loads == 1);  // shapes never change: read once
  CHECK(shapes.expand(weft::compact_trace(shape, {}), std::ref(loader)) == "[]");
}

TEST_CASE("a shape's key follows its nodes, plugins and ports, and its JSON reads back to the same shape") {
  const TraceShape a = slack_like();
  CHECK(TraceShape({{"receive", "webhook_trigger", {"out", "error"}}}).key != a.key);
  CHECK(TraceShape({{"receive", "webhook_trigger", {"out", "error"}}, {"kind", "switch", {"bots", "default", "error"}}}).key != a.key);
  const auto parsed = TraceShape::parse(a.json);
  REQUIRE(parsed);
  CHECK(parsed->key == a.key);
  CHECK(parsed->nodes[1].ports[0] == "bot");
  CHECK_FALSE(TraceShape::parse(R"({"node":"x"})"));
  CHECK_FALSE(TraceShape::parse(R"([{"node":"x","plugin":"p"}])"));
}

TEST_CASE("a trace stored before schema 9 is read as it is") {
  TraceShapes shapes;
  const std::string old = R"([{"node":"a","plugin":"p","port":"out","micros":1}])";
  CHECK(shapes.expand(old, [](std::string_view) -> std::optional<std::string> { FAIL("no shape is read"); return std::nullopt; }) == old);
}

TEST_CASE("a trace that names what the store does not have is an error naming it, not a guess") {
  const TraceShape shape = slack_like();
  OneShape loader{shape};
  TraceShapes shapes;
  CHECK_THROWS_WITH(shapes.expand("0123456789abcdef:0.0.1", std::ref(loader)),
                    "the stored trace '0123456789abcdef:0.0.1' names a workflow shape the store does not have");
  CHECK_THROWS_WITH(shapes.expand(shape.key + ":2.0.1", std::ref(loader)),
                    "the stored trace '" + shape.key + ":2.0.1' names a node or port its workflow shape does not have");
  CHECK_THROWS_WITH(shapes.expand(shape.key + ":0.3.1", std::ref(loader)), Catch::Contains("node or port"));
  for (const std::string& bad : std::vector<std::string>{"garbage", ":", shape.key + ":0.0", shape.key + ":0.0.1,", shape.key + ":0.0.-1", shape.key + ":x.0.1"})
    CHECK_THROWS_AS(shapes.expand(bad, std::ref(loader)), weft::StoreError);
}
