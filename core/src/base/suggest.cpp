#include "weft/base/suggest.hpp"

#include <algorithm>

namespace weft {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates, std::string_view prefix) {
  const auto suggest = [&](const std::string& candidate) { return " (did you mean '" + std::string(prefix) + candidate + "'?)"; };
  const std::string* best = nullptr;
  std::size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (!best || d < best_distance) {
      best = &candidate;
      best_distance = d;
    }
  }
  // A typo changes a few characters; more than a third of the word is another word.
  const std::size_t allowed = std::max<std::size_t>(2, word.size() / 3);
  if (best && best_distance <= allowed) return suggest(*best);
  // An abbreviation (`cert` for `certificate`) names the one candidate it begins.
  const std::string* begun = nullptr;
  for (const std::string& candidate : candidates) {
    if (word.size() < 3 || !candidate.starts_with(word)) continue;
    if (begun) return "";
    begun = &candidate;
  }
  return begun ? suggest(*begun) : "";
}

}  // namespace weft
