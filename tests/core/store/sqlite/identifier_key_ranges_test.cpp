// The SQLite store's search of identifiers through their key (identifier_key_ranges.hpp), against
// a set of keys in memory: the ranges hold exactly the values that start with a case variant of
// the prefix, and the seeks grow with the variants that exist, not with 2^letters.
#include "weft/store/sqlite/identifier_key_ranges.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <utility>

using namespace weft;

namespace {

const std::string tail = "\xF4\x8F\xBF\xBF";

struct Keys {
  std::set<std::pair<std::string, std::string>> keys;
  int seeks = 0;
  identifier_key_ranges::KeyExists exists() {
    return [this](std::string_view type, std::string_view low, std::string_view high) {
      ++seeks;
      const auto it = keys.lower_bound({std::string(type), std::string(low)});
      return it != keys.end() && it->first == type && it->second < high;
    };
  }
  // The values of the keys in the ranges.
  std::set<std::string> in(const std::vector<identifier_key_ranges::KeyRange>& ranges) const {
    std::set<std::string> out;
    for (const auto& r : ranges)
      for (auto it = keys.lower_bound({r.type, r.low}); it != keys.end() && it->first == r.type && it->second < r.high; ++it)
        out.insert(it->second);
    return out;
  }
};

}  // namespace

TEST_CASE("identifier key ranges: every case variant of the prefix that exists, and only those") {
  Keys k;
  k.keys = {{"email", "Jane@x.io"}, {"email", "jane@y.io"}, {"email", "JANE@z.io"}, {"email", "jan@x.io"},
            {"email", "john@x.io"}, {"slack", "U0JANE"},   {"slack", "UJANE"},     {"stripe", "cus_jAnE"}};
  const auto ranges = identifier_key_ranges::of({"email", "slack", "stripe"}, "jane", tail, k.exists());
  CHECK(k.in(ranges) == std::set<std::string>{"Jane@x.io", "jane@y.io", "JANE@z.io"});
  CHECK(ranges.size() == 3);
  CHECK(ranges[0].high == ranges[0].low + tail);
  // Digits and punctuation stand for themselves; a prefix no key starts with gives no range.
  CHECK(k.in(identifier_key_ranges::of({"slack"}, "u0j", tail, k.exists())) == std::set<std::string>{"U0JANE"});
  CHECK(identifier_key_ranges::of({"email", "slack"}, "zz", tail, k.exists()).empty());
  CHECK(identifier_key_ranges::json_array({{"email", "a\"b", "c"}}) == R"([["email","a\"b","c"]])");
}

TEST_CASE("identifier key ranges: the seeks follow the keys, and stop at max_variants") {
  Keys k;
  // 2^12 possible variants of "abcdefghijkl", of which one exists, among 1,000 other keys.
  k.keys.insert({"id", "AbCdEfGhIjKl"});
  for (int i = 0; i < 1000; ++i) k.keys.insert({"id", "abcdef" + std::to_string(i)});
  const auto ranges = identifier_key_ranges::of({"id"}, "abcdefghijkl", tail, k.exists());
  CHECK(k.in(ranges) == std::set<std::string>{"AbCdEfGhIjKl"});
  CHECK(k.seeks <= 2 * 12 * 2);  // at most two live variants a letter here, two seeks each

  // Every one of the 2^8 variants of "aaaaaaaa" exists: past max_variants the ranges stop at a
  // shorter prefix, which holds them all (the statement then tests the whole prefix).
  Keys storm;
  for (int bits = 0; bits < 256; ++bits) {
    std::string v;
    for (int b = 0; b < 8; ++b) v += bits >> b & 1 ? 'A' : 'a';
    storm.keys.insert({"id", v + "!"});
  }
  const auto coarse = identifier_key_ranges::of({"id"}, "aaaaaaaa!", tail, storm.exists());
  CHECK(coarse.size() == identifier_key_ranges::max_variants);
  CHECK(storm.in(coarse).size() == 256);
  CHECK(storm.seeks <= 2 * static_cast<int>(identifier_key_ranges::max_variants) * 2);
}
