#include "weft/base/text.hpp"

namespace weft {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> pieces;
  while (!text.empty()) {
    const std::size_t at = text.find(separator);
    const std::string_view piece = text.substr(0, at);
    if (!piece.empty()) pieces.emplace_back(piece);
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return pieces;
}

bool is_name(std::string_view text, std::string_view first, std::string_view rest, std::size_t max_length) {
  if (text.empty() || text.size() > max_length || first.find(text.front()) == std::string_view::npos) return false;
  return text.find_first_not_of(rest, 1) == std::string_view::npos;
}

}  // namespace weft
