// SPEC 8's profile listing and search on both stores. The terms (search_terms.hpp) by example;
// the listing and both ways of searching (profile_search.hpp) against a direct reading of
// every live profile's identifiers and traits, over thousands of profiles with shared update
// times, merges and rare, common and case-changed prefixes, page by page.
#include "weft/base/uuid.hpp"
#include "weft/store/profile_search.hpp"
#include "weft/store/search_terms.hpp"
#include "weft/store/store.hpp"

#include "store_backends.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <random>

using namespace weft;

TEST_CASE("search terms: folded without regard to case, cut to 200 characters") {
  CHECK(search_terms::fold("Jane@Example.COM") == "jane@example.com");
  CHECK(search_terms::fold("ÉMILE Ünal ΣΑΣ") == "émile ünal σασ");
  CHECK(search_terms::fold(std::string(300, 'A')) == std::string(200, 'a'));
  CHECK(search_terms::fold(std::string(150, 'a') + std::string(100, 'X')).size() == 200);
  const std::string accents(250, 'x');
  CHECK(search_terms::characters(search_terms::fold("É" + accents)) == 200);
  CHECK(search_terms::fold("a\xFF" "B") == "a\xFF" "b");  // not UTF-8: kept as it is
  CHECK(search_terms::characters("héllo") == 5);
}

TEST_CASE("search terms: every string of the traits, whole and word by word") {
  const auto terms = search_terms::of_traits(
      R"({"name":"Jane Doe","plan":{"tier":"Pro-Plus","seats":3},"tags":["VIP","a"],"bio":"Jane DOE"})");
  // A string's first word has no term of its own: the whole string's term starts with it.
  CHECK(terms == std::vector<std::string>{"jane doe", "doe", "pro-plus", "plus", "vip"});
  CHECK(search_terms::of_traits(R"({"note":"  hello world"})") == std::vector<std::string>{"  hello world", "hello", "world"});
  CHECK(search_terms::of_traits("{}").empty());
  CHECK(search_terms::of_traits("not json").empty());
  CHECK(search_terms::of_traits(R"({"city":"Zürich-Örlikon"})") == std::vector<std::string>{"zürich-örlikon", "örlikon"});
  std::string many = R"({"text":")";
  for (int i = 0; i < 1000; ++i) many += "word" + std::to_string(i) + " ";
  many += R"("})";
  CHECK(search_terms::of_traits(many).size() == search_terms::max_trait_terms);
  CHECK(search_terms::json_array({"a\"b", "c"}) == R"(["a\"b","c"])");
}

TEST_CASE("search: the listing's cursor") {
  const ProfilePlace place{1733600000000000, "0193abcd-0000-7000-8000-000000000001"};
  const auto parsed = parse_place_cursor(place_cursor(place));
  REQUIRE(parsed);
  CHECK(parsed->updated_at == place.updated_at);
  CHECK(parsed->id == place.id);
  for (const char* bad : {"", "12", "12.", ".abc", "x1.abc", "1x.abc"}) CHECK_FALSE(parse_place_cursor(bad));
}

namespace {

// What a profile holds, as the test wrote it.
struct Person {
  std::string id;
  std::int64_t updated_at = 0;
  std::vector<std::string> values;  // identifier values
  std::string traits = "{}";
  bool live = true;
};

// SPEC 8's rule, written apart from the stores' terms: an identifier value, a trait string, or
// a word of one (split here at ASCII punctuation and spaces: the names below have no other)
// starts with the query, without regard to case.
bool matches(const Person& p, const std::string& query) {
  const std::string prefix = search_terms::fold(query);
  const auto starts = [&](const std::string& text) { return search_terms::fold(text).compare(0, prefix.size(), prefix) == 0; };
  for (const std::string& v : p.values)
    if (starts(v)) return true;
  rapidjson::Document traits;
  traits.Parse(p.traits.c_str());
  std::vector<std::string> strings;
  const std::function<void(const rapidjson::Value&)> collect = [&](const rapidjson::Value& v) {
    if (v.IsString()) strings.emplace_back(v.GetString(), v.GetStringLength());
    if (v.IsObject())
      for (const auto& member : v.GetObject()) collect(member.value);
    if (v.IsArray())
      for (const auto& item : v.GetArray()) collect(item);
  };
  collect(traits);
  for (const std::string& text : strings) {
    if (starts(text)) return true;
    const auto word_byte = [](char c) { return static_cast<unsigned char>(c) >= 0x80 || std::isalnum(static_cast<unsigned char>(c)); };
    for (std::size_t at = 0, end = 0; at < text.size(); at = end + 1) {
      for (end = at; end < text.size() && word_byte(text[end]);) ++end;
      if (end > at && starts(text.substr(at, end - at))) return true;
    }
  }
  return false;
}

// The listing's order: most recently updated first, then by id, descending.
bool before(const Person& a, const Person& b) { return a.updated_at != b.updated_at ? a.updated_at > b.updated_at : a.id > b.id; }

std::vector<std::string> ids_of(const std::vector<ProfilePlace>& places) {
  std::vector<std::string> out;
  for (const auto& p : places) out.push_back(p.id);
  return out;
}

// Every page of `list` (after, limit) -> places, joined.
template <class List>
std::vector<std::string> all_pages(List&& list, std::int64_t limit) {
  std::vector<std::string> out;
  std::optional<ProfilePlace> after;
  for (int page = 0; page < 1000; ++page) {
    const auto places = list(after, limit);
    for (const auto& p : places) out.push_back(p.id);
    if (static_cast<std::int64_t>(places.size()) < limit) break;
    after = places.back();
  }
  return out;
}

}  // namespace

TEST_CASE("search: listing and search agree with every live profile's identifiers and traits") {
  const std::string backend = GENERATE(from_range(test::store_backends()));
  INFO("store backend " << backend);
  test::TempDir dir;
  auto store = test::open_fresh_store(backend, dir);
  std::mt19937 random(20261207);
  const char* names[] = {"Jane Doe", "John Smith", "Émile Zola", "Ana María", "Zoë Quinn", "Jean-Luc Picard"};

  // 3,000 people: an e-mail each (a prefix common to all), a Slack-like id for a third, a name
  // for half; a few hundred update times shared by many; then 100 merges and renames.
  std::vector<Person> people(3000);
  store->begin();
  for (std::size_t i = 0; i < people.size(); ++i) {
    Person& p = people[i];
    p.id = new_uuid(1700000000000000 + static_cast<std::int64_t>(i));
    p.updated_at = 1700000000000000 + static_cast<std::int64_t>(random() % 400);
    store->insert_profile({p.id, p.updated_at, p.updated_at, "{}", std::nullopt});
    p.values.push_back("Person" + std::to_string(i) + "@Example.com");
    if (i % 3 == 0) p.values.push_back("U0" + std::to_string(100000 + i * 7));
    // Identifiers of other types: mixed case (found through their key, one case variant of the
    // prefix at a time, more variants than are followed at once for "xx..."), non-ASCII
    // capitals and values over 200 characters (kept by the partial index instead).
    std::string mixed = "cus_";
    for (int k = 0; k < 8; ++k) mixed += static_cast<char>((random() % 2 ? 'a' : 'A') + random() % 3);
    if (i % 5 == 1) p.values.push_back(mixed);
    std::string storm;
    for (int k = 0; k < 8; ++k) storm += random() % 2 ? 'a' : 'A';
    if (i % 7 == 4) p.values.push_back(storm + std::to_string(i));
    if (i % 50 == 2) p.values.push_back("ÉMILE" + std::to_string(i) + "@Example.com");
    if (i % 97 == 3) p.values.push_back(std::string(205, 'L') + std::to_string(i));
    for (const auto& v : p.values) {
      const std::string type = v.find('@') != std::string::npos ? "email" : v.rfind("U0", 0) == 0 ? "slack" : "stripe";
      store->insert_identifier(type, v, p.id, p.updated_at);
    }
    if (i % 2 == 0) {
      p.traits = std::string(R"({"name":")") + names[i % 6] + R"(","plan":{"tier":"gold"}})";
      store->save_traits(p.id, p.traits, p.updated_at);
    }
  }
  store->commit();
  store->begin();
  for (std::size_t i = 0; i < 100; ++i) {
    Person& survivor = people[i * 29];
    Person& merged = people[i * 29 + 1];
    survivor.updated_at = 1700000000000000 + 500 + static_cast<std::int64_t>(i % 7);
    survivor.traits = R"({"name":"Merged Person )" + std::to_string(i) + R"("})";
    store->merge_profiles(survivor.id, merged.id, survivor.traits, survivor.updated_at);
    survivor.values.insert(survivor.values.end(), merged.values.begin(), merged.values.end());
    merged.live = false;
  }
  store->commit();

  std::vector<Person> live;
  for (const Person& p : people)
    if (p.live) live.push_back(p);
  std::sort(live.begin(), live.end(), before);

  std::vector<std::string> expected_list;
  for (const Person& p : live) expected_list.push_back(p.id);
  CHECK(all_pages([&](const auto& after, std::int64_t limit) { return store->recent_profiles(after, limit); }, 37) == expected_list);

  // Common (every e-mail: tested down the listing), middling (about a third: from the terms),
  // rare, case-changed, a word inside a name, a whole name, nothing.
  for (const std::string& query : std::vector<std::string>{"pe", "PERSON", "person1", "person12", "person2999@", "u01", "U0100007", "jane", "DOE", "jane d",
                                   "émile", "ÉMI", "zoë", "gold", "merged person 4", "luc", "jan", "AN", "jean", "nobody", "zz",
                                   "cus_a", "CUS_AB", "cus_bAc", "aa", "aaaaaaa", "AAAAAAAA1", "aaaaaaaa12", "ÉMILE1", "émile10", std::string(203, 'l'), "LLLL"}) {
    INFO("q=" << query);
    std::vector<std::string> expected;
    for (const Person& p : live)
      if (matches(p, query)) expected.push_back(p.id);
    // The thresholds as they are, and lowered so that each way (and the fall back from the
    // listing to the terms) answers the queries of this small store too.
    // The last two refuse the walk in memory (too many ids; too long a walk).
    for (const SearchThresholds thresholds : {SearchThresholds{}, SearchThresholds{200, 100, 400}, SearchThresholds{1, 20, 60},
                                              SearchThresholds{1, 10, 10, 5}, SearchThresholds{1, 10, 10, 100000, 0}}) {
      INFO("thresholds " << thresholds.few_terms << " " << thresholds.first_tested << " " << thresholds.most_tested << " "
                         << thresholds.most_ids << " " << thresholds.walked_per_id);
      for (const std::int64_t limit : {7, 50, 1001}) {
        INFO("limit " << limit);
        const auto first = search_profiles(*store, query, std::nullopt, limit, thresholds);
        const std::vector<std::string> head(expected.begin(), expected.begin() + std::min<std::ptrdiff_t>(limit, expected.size()));
        CHECK(ids_of(first) == head);
      }
      CHECK(all_pages([&](const auto& after, std::int64_t limit) { return search_profiles(*store, query, after, limit, thresholds); },
                      50) == expected);
    }
  }
  // Each way is taken: the e-mails' prefix has more terms than the lowered thresholds, a
  // name's fewer; the listing is walked past the lowered scan.
  CHECK(store->count_search_terms({"pe", "pe\xF4\x8F\xBF\xBF"}, 10000) >= 3000);
  CHECK(store->count_search_terms({"jane", "jane\xF4\x8F\xBF\xBF"}, 10000) < 1000);
}

TEST_CASE("search: a deleted profile takes its terms with it") {
  const std::string backend = GENERATE(from_range(test::store_backends()));
  INFO("store backend " << backend);
  test::TempDir dir;
  auto store = test::open_fresh_store(backend, dir);
  const std::string id = new_uuid();
  store->begin();
  store->insert_profile({id, 10, 10, "{}", std::nullopt});
  store->insert_identifier("email", "jane@example.com", id, 10);
  store->save_traits(id, R"({"name":"Jane Doe"})", 11);
  store->commit();
  CHECK(ids_of(search_profiles(*store, "doe", std::nullopt, 10)) == std::vector<std::string>{id});
  CHECK(ids_of(search_profiles(*store, "JANE@", std::nullopt, 10)) == std::vector<std::string>{id});
  store->begin();
  const Erased erased = store->erase_profile(id);
  store->commit();
  CHECK(erased.profiles == 1);
  CHECK(search_profiles(*store, "doe", std::nullopt, 10).empty());
  CHECK(search_profiles(*store, "jane", std::nullopt, 10).empty());
  CHECK(store->count_search_terms({"", "\xF4\x8F\xBF\xBF"}, 100) == 0);
  CHECK(store->recent_profiles(std::nullopt, 10).empty());
}
