// SPEC 4: evaluating a query costs time linear in the document times the query, whatever the
// payload holds. These run the largest inputs the limits allow (1 MiB bodies, 64 levels) and
// compare each time with the time of an input a tenth or half as large: a linear evaluation
// grows by about that factor, a quadratic one by its square.
#include "weft/event/json.hpp"
#include "weft/event/jsonpath.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>

namespace {

struct Parsed {
  rapidjson::Document doc;
  rapidjson::Value root;
};

void parse(const std::string& json, Parsed& parsed) {
  REQUIRE(json.size() <= 1048576);
  REQUIRE(weft::parse_json(json, parsed.root, parsed.doc.GetAllocator(), 64).ok);
}

// The fastest of three evaluations, in seconds, and the nodes of the last.
double time_query(const weft::JsonPath& path, const rapidjson::Value& root, std::size_t& selected) {
  double best = 1e9;
  for (int run = 0; run < 3; ++run) {
    std::vector<const rapidjson::Value*> nodes;
    const auto start = std::chrono::steady_clock::now();
    path.select_all(root, nodes);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    selected = nodes.size();
  }
  return best;
}

// {"t": n-1, "a": [0, 1, ..., n-1]}
std::string numbers(int n) {
  std::string json = "{\"t\":" + std::to_string(n - 1) + ",\"a\":[";
  for (int i = 0; i < n; ++i) json += (i ? "," : "") + std::to_string(i);
  return json + "]}";
}

// 64 nested levels, each {"x":[0,0,...],"n":{...}}, `width` zeros per level.
std::string deep(int width) {
  std::string json;
  for (int level = 0; level < 63; ++level) {
    json += "{\"x\":[";
    for (int i = 0; i < width; ++i) json += i ? ",0" : "0";
    json += "],\"n\":";
  }
  json += "[]";
  for (int level = 0; level < 63; ++level) json += "}";
  return json;
}

}  // namespace

TEST_CASE("a filter over 100,000 elements, with an absolute query in it, takes linear time") {
  Parsed small, large;
  parse(numbers(10000), small);
  parse(numbers(100000), large);
  // count($.a[*]) would cost the whole array per element if absolute queries were not
  // evaluated once per evaluation: 10^10 steps for the large document.
  const auto path = weft::JsonPath::parse("$.a[?count($.a[*]) > 0 && @ == $.t]");
  std::size_t selected_small = 0, selected_large = 0;
  const double t_small = time_query(path, small.root, selected_small);
  const double t_large = time_query(path, large.root, selected_large);
  CHECK(selected_small == 1);
  CHECK(selected_large == 1);
  INFO("10,000 elements: " << t_small << " s, 100,000: " << t_large << " s");
  CHECK(t_large < 30 * std::max(t_small, 1e-4));  // linear: about 10; quadratic: 100
}

TEST_CASE("a descendant segment over a 64-deep, 1 MiB document takes linear time") {
  const std::string big = deep(8000);
  const std::string half = deep(4000);
  REQUIRE(big.size() > 1000000);
  Parsed small, large;
  parse(half, small);
  parse(big, large);
  const auto all = weft::JsonPath::parse("$..*");
  std::size_t selected_small = 0, selected_large = 0;
  const double t_small = time_query(all, small.root, selected_small);
  const double t_large = time_query(all, large.root, selected_large);
  CHECK(selected_large == 63 * (8000 + 2));  // every node but the root: per level x, n and x's zeros
  INFO("half: " << t_small << " s, 1 MiB: " << t_large << " s");
  CHECK(t_large < 6 * std::max(t_small, 1e-4));  // linear: about 2
  // A filter whose test walks each node's subtree: each node is visited once per ancestor, so
  // the work is the document times its depth (64), never its square.
  const auto nested = weft::JsonPath::parse("$..[?@..x]");
  const double t_nested_small = time_query(nested, small.root, selected_small);
  const double t_nested_large = time_query(nested, large.root, selected_large);
  CHECK(selected_large == 62);  // every n but the last holds an x below it
  CHECK(t_nested_large < 6 * std::max(t_nested_small, 1e-4));
}

TEST_CASE("a query that would visit too many nodes stops with an error instead of running on") {
  Parsed large;
  parse(deep(8000), large);
  // Four nested descendant segments: each node counted once per chain of four ancestors.
  const auto path = weft::JsonPath::parse("$..*..*..*..*");
  std::vector<const rapidjson::Value*> nodes;
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(path.select_all(large.root, nodes), weft::JsonPathLimitError);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  // The first node alone is no way around it: select() evaluates the same query.
  CHECK_THROWS_AS(path.select(large.root), weft::JsonPathLimitError);
}
