#include "weft/base/suggest.hpp"

#include <catch2/catch.hpp>

TEST_CASE("did-you-mean suggests the closest plausible candidate") {
  const std::vector<std::string> keys = {"id", "name", "nodes"};
  CHECK(weft::did_you_mean("nodse", keys) == " (did you mean 'nodes'?)");
  CHECK(weft::did_you_mean("nmae", keys) == " (did you mean 'name'?)");
  CHECK(weft::did_you_mean("json_path_extracter", {"json_path_extractor", "webhook_trigger"}) ==
        " (did you mean 'json_path_extractor'?)");
  CHECK(weft::did_you_mean("completely_different", keys).empty());
  CHECK(weft::did_you_mean("x", {}).empty());
  // an abbreviation of one candidate, not of two
  CHECK(weft::did_you_mean("cert", {"certificate", "key"}) == " (did you mean 'certificate'?)");
  CHECK(weft::did_you_mean("cert", {"certificate", "certainty"}).empty());
  CHECK(weft::did_you_mean("ce", {"certificate"}).empty());
}
