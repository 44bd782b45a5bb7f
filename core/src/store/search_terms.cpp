#include "weft/store/search_terms.hpp"

#include "weft/event/json_strings.hpp"
#include "weft/event/utf8.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <locale.h>
#include <wctype.h>

#include <algorithm>
#include <unordered_set>

namespace weft::search_terms {
namespace {

// Unicode's case and letter classes as glibc's C.UTF-8 locale has them, whatever the process's
// own locale (nullptr if it is missing: then only ASCII is folded and only ASCII letters and
// digits make words).
locale_t unicode_locale() {
  static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return locale;
}

char32_t lower(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
  const locale_t locale = unicode_locale();
  return locale ? static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), locale)) : c;
}

bool word_character(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  const locale_t locale = unicode_locale();
  return locale && iswalnum_l(static_cast<wint_t>(c), locale);
}

}  // namespace

std::string fold(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), max_chars * 4));
  std::size_t chars = 0;
  for (std::size_t at = 0; at < text.size() && chars < max_chars; ++chars) {
    const Utf8Character d = decode_utf8(text, at);
    if (d.valid)
      append_utf8(out, lower(d.code));
    else
      out += text[at];
    at += d.length;
  }
  return out;
}

std::size_t characters(std::string_view text) {
  std::size_t chars = 0;
  for (std::size_t at = 0; at < text.size(); ++chars) at += decode_utf8(text, at).length;
  return chars;
}

std::vector<std::string> of_traits(std::string_view traits_json) {
  std::vector<std::string> terms;
  std::unordered_set<std::string> seen;
  const auto add = [&](std::string_view text) {
    if (terms.size() >= max_trait_terms || characters(text) < min_query_chars) return;
    std::string term = fold(text);
    if (seen.insert(term).second) terms.push_back(std::move(term));
  };
  for_each_json_string(traits_json, [&](std::string_view s) {
    add(s);
    std::size_t word_start = std::string_view::npos;
    for (std::size_t at = 0; at <= s.size() && terms.size() < max_trait_terms;) {
      const Utf8Character d = at < s.size() ? decode_utf8(s, at) : Utf8Character{};
      const bool in_word = at < s.size() && d.valid && word_character(d.code);
      if (in_word && word_start == std::string_view::npos) word_start = at;
      if (!in_word && word_start != std::string_view::npos) {
        // A word at the string's start needs no term: the whole string's term starts with it,
        // so every query the word would match matches that term (one index entry less).
        if (word_start != 0) add(s.substr(word_start, at - word_start));
        word_start = std::string_view::npos;
      }
      at += at < s.size() ? d.length : 1;
    }
  });
  return terms;
}

std::string json_array(const std::vector<std::string>& terms) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartArray();
  for (const std::string& t : terms) w.String(t.data(), static_cast<rapidjson::SizeType>(t.size()));
  w.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::pair<std::string, std::string> prefix_range(std::string_view folded_prefix) {
  return {std::string(folded_prefix), std::string(folded_prefix) + "\xF4\x8F\xBF\xBF"};
}

}  // namespace weft::search_terms
