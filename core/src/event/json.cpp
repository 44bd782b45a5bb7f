#include "weft/event/json.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace weft {
namespace {

// Forwards SAX events to `Target` (a Document, or nothing) while counting depth; returning
// false stops the parse.
template <class Target>
class DepthLimiter {
public:
  DepthLimiter(Target& target, std::size_t max_depth) : target_(target), max_depth_(max_depth) {}

  bool Null() { return target_.Null(); }
  bool Bool(bool b) { return target_.Bool(b); }
  bool Int(int i) { return target_.Int(i); }
  bool Uint(unsigned u) { return target_.Uint(u); }
  bool Int64(int64_t i) { return target_.Int64(i); }
  bool Uint64(uint64_t u) { return target_.Uint64(u); }
  bool Double(double d) { return target_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return target_.RawNumber(s, n, copy); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return target_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return target_.Key(s, n, copy); }
  bool StartObject() { return enter() && target_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return target_.EndObject(members);
  }
  bool StartArray() { return enter() && target_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return target_.EndArray(elements);
  }

  bool too_deep() const { return too_deep_; }

private:
  bool enter() {
    if (++depth_ > max_depth_) too_deep_ = true;
    return !too_deep_;
  }

  Target& target_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
};

constexpr unsigned parse_flags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

// The result of a parse that stopped where `parsed` says.
JsonParseResult parse_result(const rapidjson::ParseResult& parsed, bool too_deep, std::size_t max_depth) {
  if (too_deep) return {false, "JSON nested deeper than " + std::to_string(max_depth) + " levels"};
  if (parsed.IsError())
    return {false, std::string(rapidjson::GetParseError_En(parsed.Code())) + " at byte " + std::to_string(parsed.Offset())};
  return {};
}

}  // namespace

JsonParseResult parse_json(std::string_view text, rapidjson::Value& out, rapidjson::MemoryPoolAllocator<>& allocator,
                           std::size_t max_depth) {
  rapidjson::Document document(&allocator);
  bool too_deep = false;
  rapidjson::ParseResult parsed;
  auto generate = [&](rapidjson::Document& handler) {
    DepthLimiter<rapidjson::Document> limiter(handler, max_depth);
    rapidjson::Reader reader;
    rapidjson::MemoryStream stream(text.data(), text.size());
    parsed = reader.Parse<parse_flags>(stream, limiter);
    too_deep = limiter.too_deep();
    return !parsed.IsError();
  };
  document.Populate(generate);
  JsonParseResult result = parse_result(parsed, too_deep, max_depth);
  if (result.ok) out = static_cast<rapidjson::Value&>(document);  // moves: RapidJSON assignment transfers ownership
  return result;
}

JsonParseResult check_json(std::string_view text, std::size_t max_depth) {
  rapidjson::BaseReaderHandler<> nothing;
  DepthLimiter<rapidjson::BaseReaderHandler<>> limiter(nothing, max_depth);
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(text.data(), text.size());
  const rapidjson::ParseResult parsed = reader.Parse<parse_flags>(stream, limiter);
  return parse_result(parsed, limiter.too_deep(), max_depth);
}

std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace weft
