// identification_merger (SPEC 15) through real workflows on the real stores: phone numbers
// merged in E.164 by libphonenumber, any identifier type, the normalisations, per-type limits
// and the config errors.
#include "store_fixture.hpp"
#include "workflow_fixture.hpp"

#include <catch2/catch.hpp>

using weft::test::StoreFixture;

namespace {

std::string flow(const std::string& source, const std::string& merger_with) {
  return "id: " + source +
         "\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
         "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
         "  - id: group\n    plugin: profile_grouper\n"
         "  - id: identify\n    plugin: identification_merger\n    with: " +
         merger_with + "\n";
}

std::string port_of(const weft::Workflow& w, const weft::RunResult& run, const std::string& node) {
  for (const auto& t : run.trace)
    if (w.nodes[t.node].id == node) return w.nodes[t.node].port_name(t.port);
  return "<not run>";
}

}  // namespace

TEST_CASE("identification_merger: phone numbers written differently are one identifier in E.164") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto shop = f.workflow(flow("shop", "{ identifier: phone, value: $.payload.phone, normalize: phone, region: DE }"));
  auto crm = f.workflow(flow("crm", "{ identifier: phone, value: $.payload.phone, normalize: phone }"));
  const auto a = f.post(*shop, R"({"user":"s1","phone":"030 1234567"})");
  CHECK(port_of(*shop, a.run, "identify") == "out");
  CHECK(f.store.find_identifier("phone", "+49301234567") == a.profile_id);
  const auto b = f.post(*crm, R"({"user":"c1","phone":"+4930 1234567"})");
  CHECK(b.profile_id == a.profile_id);  // merged: the same number
  CHECK(f.store.count_live_profiles() == 1);
  const auto c = f.post(*crm, R"({"user":"c2","phone":"+49 (30) 123-4567"})");
  CHECK(c.profile_id == a.profile_id);

  // without a region, a number written without + cannot be placed: invalid, nothing added
  const auto local = f.post(*crm, R"({"user":"c3","phone":"030 1234567"})");
  CHECK(port_of(*crm, local.run, "identify") == "invalid");
  CHECK(local.profile_id != a.profile_id);
  for (const char* junk : {R"("call me")", R"("+")", R"("+49 3")"}) {
    INFO(junk);
    const auto r = f.post(*crm, std::string(R"({"user":"c4","phone":)") + junk + "}");
    CHECK(port_of(*crm, r.run, "identify") == "invalid");
  }
  const auto missing = f.post(*crm, R"({"user":"c5"})");
  CHECK(port_of(*crm, missing.run, "identify") == "missing");
}

TEST_CASE("identification_merger: a number possible only locally (12, 112 with region DE) is invalid, never merges people") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto shop = f.workflow(flow("shop", "{ identifier: phone, value: $.payload.phone, normalize: phone, region: DE }"));
  for (const char* local_only : {"12", "112"}) {
    INFO(local_only);
    const auto first = f.post(*shop, std::string(R"({"user":"a)") + local_only + R"(","phone":")" + local_only + "\"}");
    const auto second = f.post(*shop, std::string(R"({"user":"b)") + local_only + R"(","phone":")" + local_only + "\"}");
    CHECK(port_of(*shop, first.run, "identify") == "invalid");
    CHECK(port_of(*shop, second.run, "identify") == "invalid");
    CHECK(first.profile_id != second.profile_id);
  }
  CHECK_FALSE(f.store.find_identifier("phone", "+4912"));
  CHECK_FALSE(f.store.find_identifier("phone", "+49112"));
}

TEST_CASE("identification_merger: a phone value as long as the body allows costs bounded work and is invalid") {
  StoreFixture f(weft::test::store_backends().front());
  auto w = f.workflow(flow("shop", "{ identifier: phone, value: $.payload.phone, normalize: phone, region: DE }"));
  const std::string digits(1024 * 1024 - 64, '5');
  const auto r = f.post(*w, R"({"user":"s1","phone":"+49)" + digits + "\"}");
  CHECK(port_of(*w, r.run, "identify") == "invalid");
}

TEST_CASE("identification_merger: any identifier type, normalisations, and the per-type limit") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow(flow("billing", "{ identifier: customer_id, value: $.payload.customer, max_per_profile: 2 }"));
  const auto a = f.post(*w, R"({"user":"u1","customer":" C-1 "})");
  CHECK(f.store.find_identifier("customer_id", "C-1") == a.profile_id);  // trim is the default
  CHECK(f.post(*w, R"({"user":"u2","customer":"C-1"})").profile_id == a.profile_id);
  CHECK(port_of(*w, f.post(*w, R"({"user":"u1","customer":"C-2"})").run, "identify") == "out");
  const auto third = f.post(*w, R"({"user":"u1","customer":"C-3"})");
  CHECK(port_of(*w, third.run, "identify") == "limited");  // a profile holds at most 2 customer ids
  CHECK_FALSE(f.store.find_identifier("customer_id", "C-3"));
  const auto integer = f.post(*w, R"({"user":"u9","customer":4711})");
  CHECK(f.store.find_identifier("customer_id", "4711") == integer.profile_id);

  auto lower = f.workflow(flow("lowered", "{ identifier: handle, value: $.payload.h, normalize: lower }"));
  const auto l = f.post(*lower, R"({"user":"l1","h":"  JaneD "})");
  CHECK(f.store.find_identifier("handle", "janed") == l.profile_id);
  auto none = f.workflow(flow("exact", "{ identifier: code, value: $.payload.c, normalize: none }"));
  const auto n = f.post(*none, R"({"user":"n1","c":" Ab "})");
  CHECK(f.store.find_identifier("code", " Ab ") == n.profile_id);
  auto email = f.workflow(flow("mails", "{ identifier: work_email, value: $.payload.e, normalize: email }"));
  const auto e = f.post(*email, R"({"user":"e1","e":" Jane@Example.COM "})");
  CHECK(f.store.find_identifier("work_email", "jane@example.com") == e.profile_id);
  CHECK(port_of(*email, f.post(*email, R"({"user":"e2","e":"not-an-address"})").run, "identify") == "invalid");
}

TEST_CASE("email_identification_merger and identification_merger with normalize: email are one identifier") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto old_style = f.workflow("id: slack\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                              "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                              "  - id: group\n    plugin: profile_grouper\n"
                              "  - id: identify\n    plugin: email_identification_merger\n    with: { email: $.payload.e }\n");
  auto generic = f.workflow(flow("forms", "{ identifier: email, value: $.payload.e, normalize: email }"));
  const auto a = f.post(*old_style, R"({"user":"U1","e":"Jane@Example.com"})");
  const auto b = f.post(*generic, R"({"user":"F1","e":"jane@example.com "})");
  CHECK(a.profile_id == b.profile_id);
}

TEST_CASE("identification_merger: config mistakes are errors at the value") {
  const auto errors = [](const std::string& with) {
    const auto loaded = weft::test::load_yaml(flow("t", with));
    CHECK_FALSE(loaded.workflow);
    return loaded.errors;
  };
  CHECK(errors("{ identifier: phone, value: $.payload.p, normalize: phone, region: XX }").at(0) ==
        "12:78: node 'identify' (identification_merger): 'region': unknown region 'XX': expected an ISO 3166 country code such as DE or US");
  CHECK(errors("{ identifier: phone, value: $.payload.p, region: DE }").at(0) ==
        "12:60: node 'identify' (identification_merger): 'region': region applies to normalize: phone only (this node normalizes with trim)");
  CHECK(errors("{ identifier: 'Phone Number', value: $.payload.p }").at(0) ==
        "12:25: node 'identify' (identification_merger): 'identifier': invalid identifier type 'Phone Number': expected 1 to 64 of a-z, "
        "0-9, '_' and '-', starting with a letter or digit");
  CHECK(errors("{ identifier: phone, value: $.payload.p, max_per_profile: 0 }").at(0) ==
        "12:69: node 'identify' (identification_merger): 'max_per_profile': must be at least 1");
  CHECK(errors("{ identifier: phone, value: $.payload.p, normalize: e164 }").at(0).find(
            "expected one of none|trim|lower|email|phone, found 'e164'") != std::string::npos);
}

TEST_CASE("identification_merger: every node a path selects is an identifier, duplicates once, all merged") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto crm = f.workflow(flow("crm", "{ identifier: customer_id, value: $.payload.id }"));
  auto shop = f.workflow(flow("shop", "{ identifier: customer_id, value: '$.payload.ids[*]', normalize: lower }"));
  const auto a = f.post(*crm, R"({"user":"a","id":"c-1"})");
  const auto b = f.post(*crm, R"({"user":"b","id":"c-2"})");
  CHECK(a.profile_id != b.profile_id);
  // c-1 twice (once upper-case), c-2, a new c-3, and values that are no ids (null, an object)
  const auto s = f.post(*shop, R"({"user":"s","ids":["C-1","c-2",null,"c-1",{"x":1},"c-3"]})");
  CHECK(port_of(*shop, s.run, "identify") == "out");
  CHECK(f.store.count_live_profiles() == 1);
  for (const char* id : {"c-1", "c-2", "c-3"}) CHECK(f.store.find_identifier("customer_id", id) == s.profile_id);
  const auto none = f.post(*shop, R"({"user":"t","ids":[null,""]})");
  CHECK(port_of(*shop, none.run, "identify") == "missing");
}

TEST_CASE("identification_merger: more than max_per_event identifiers, or a merge past a limit, changes nothing") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto crm = f.workflow(flow("crm", "{ identifier: customer_id, value: $.payload.id }"));
  auto shop = f.workflow(flow("shop", "{ identifier: customer_id, value: '$.payload.ids[*]', max_per_event: 3, max_profiles: 3 }"));
  const auto too_many = f.post(*shop, R"({"user":"s1","ids":["x1","x2","x3","x4"]})");
  CHECK(port_of(*shop, too_many.run, "identify") == "limited");
  CHECK_FALSE(f.store.find_identifier("customer_id", "x1"));
  const auto three = f.post(*shop, R"({"user":"s2","ids":["x1","x2","x1","x3","x2"]})");  // three distinct
  CHECK(port_of(*shop, three.run, "identify") == "out");
  CHECK(f.store.find_identifier("customer_id", "x3") == three.profile_id);

  // Three profiles hold one id each: merging all three into a fourth would make a profile of
  // four, over max_profiles 3. The first two merges alone would fit; nothing happens at all.
  const auto p1 = f.post(*crm, R"({"user":"p1","id":"y1"})");
  const auto p2 = f.post(*crm, R"({"user":"p2","id":"y2"})");
  const auto p3 = f.post(*crm, R"({"user":"p3","id":"y3"})");
  const std::int64_t before = f.store.count_live_profiles();
  const auto all = f.post(*shop, R"({"user":"s3","ids":["y1","y2","y3"]})");
  CHECK(port_of(*shop, all.run, "identify") == "limited");
  CHECK(f.store.count_live_profiles() == before + 1);  // s3's own profile, nothing merged
  CHECK(f.store.find_identifier("customer_id", "y1") == p1.profile_id);
  CHECK(f.store.find_identifier("customer_id", "y2") == p2.profile_id);
  CHECK(f.store.find_identifier("customer_id", "y3") == p3.profile_id);
  const auto two = f.post(*shop, R"({"user":"s4","ids":["y1","y2"]})");
  CHECK(port_of(*shop, two.run, "identify") == "out");
  CHECK(f.store.find_identifier("customer_id", "y1") == f.store.find_identifier("customer_id", "y2"));
}
