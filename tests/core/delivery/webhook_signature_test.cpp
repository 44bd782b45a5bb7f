// Standard Webhooks signing against the specification's published vector, and the secret forms.
#include "weft/delivery/webhook_signature.hpp"

#include <catch2/catch.hpp>

TEST_CASE("Standard Webhooks: the specification's vector signs to its published signature") {
  const auto key = weft::webhook_signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  REQUIRE(key);
  CHECK(key->size() == 24);
  CHECK(weft::sign_webhook(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})") ==
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  // one byte more of body, id or time gives another signature
  CHECK(weft::sign_webhook(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, R"({"test": 2432232314})") !=
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST_CASE("Standard Webhooks: a secret without whsec_ is its own bytes, a bad whsec_ one is refused") {
  CHECK(weft::webhook_signing_key("plain secret") == std::optional<std::string>("plain secret"));
  CHECK_FALSE(weft::webhook_signing_key("whsec_not base64!"));
  CHECK_FALSE(weft::webhook_signing_key("whsec_"));
}
