#include "weft/store/search_terms.hpp"

#include "weft/event/json_strings.hpp"

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

struct Decoded {
  char32_t code = 0;
  std::size_t length = 1;
  bool valid = false;
};

// The character at `at`; an invalid or cut sequence is one byte, not valid.
Decoded decode(std::string_view s, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b = byte(at);
  if (b < 0x80) return {b, 1, true};
  std::size_t length = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
  if (length == 0 || at + length > s.size()) return {};
  char32_t code = b & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return {};
    code = (code << 6) | (byte(at + i) & 0x3F);
  }
  const char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < least[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {};
  return {code, length, true};
}

void encode(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
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
    const Decoded d = decode(text, at);
    if (d.valid)
      encode(lower(d.code), out);
    else
      out += text[at];
    at += d.length;
  }
  return out;
}

std::size_t characters(std::string_view text) {
  std::size_t chars = 0;
  for (std::size_t at = 0; at < text.size(); ++chars) at += decode(text, at).length;
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
      const Decoded d = at < s.size() ? decode(s, at) : Decoded{};
      const bool in_word = at < s.size() && d.valid && word_character(d.code);
      if (in_word && word_start == std::string_view::npos) word_start = at;
      if (!in_word && word_start != std::string_view::npos) {
        // The whole string is a term already.
        if (word_start != 0 || at != s.size()) add(s.substr(word_start, at - word_start));
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
