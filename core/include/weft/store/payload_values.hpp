// The string values of events that belong to no profile, kept as keys (SPEC 14): an erasure
// finds the unattributed events that may hold one of the person's identifier values by reading
// these keys, about 8 bytes a string, instead of every unattributed payload, and checks each
// candidate against its payload.
//
// A payload string and an identifier value are compared in their normal forms: trimmed and
// lower-cased, and for a string written as an international phone number ('+' and digits,
// with spaces, dots, dashes or brackets between) also '+' and its digits, as E.164. A key is
// SipHash-2-4 of a form under a key derived from the store's secret, so the stored keys hold
// no value that can be read back or confirmed without the store's secret.
//
// One row per event (its keys packed, sorted): written once at the end of the table, deleted
// with the event. An index with a row per value was measured first: unattributed events went
// in at 8,923 events/s against 92,089 without it (weft ingest, 300,000 form events), its random
// inserts rewriting most of its pages in every transaction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weft::payload_values {

class ValueKeys {
public:
  explicit ValueKeys(const std::string& secret);

  // The keys of every string (at most max_length bytes) in a payload (JSON text), packed as
  // 8 bytes each, sorted, without repeats. Invalid JSON gives none.
  std::string of_payload(std::string_view payload_json) const;
  // The keys of one identifier value's forms.
  std::vector<std::uint64_t> of_value(std::string_view value) const;

private:
  std::uint64_t key(std::string_view form) const;
  std::uint64_t k0_ = 0, k1_ = 0;
};

// SipHash-2-4 (Aumasson and Bernstein) of `data` under the key k0, k1 (its 16 bytes read as two
// little-endian words).
std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view data);

// Whether packed keys (ValueKeys::of_payload) hold any of `keys`.
bool holds_key(std::string_view packed, const std::vector<std::uint64_t>& keys);

// The normal forms of one string (one or two).
std::vector<std::string> forms(std::string_view text);

// Whether the payload holds a string equal, in its normal forms, to one of `values`: the exact
// check behind a key that matched (keys can collide).
bool holds_any(std::string_view payload_json, const std::vector<std::string>& values);

// An operation's `profiles` (a JSON array of ids) with each of `ids` written as "erased".
std::string erased_ids_in(std::string profiles_json, const std::vector<std::string>& ids);

inline constexpr std::size_t max_length = 512;

}  // namespace weft::payload_values
