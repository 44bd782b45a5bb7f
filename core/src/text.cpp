#include "weft/text.hpp"

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

}  // namespace weft
