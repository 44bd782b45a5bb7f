// deliver: asks for a message to a destination (SPEC 17). The message is written to the outbox
// in the event's transaction, so it exists exactly when the event is stored. `body` is a
// template: maps and lists as written, values typed as YAML wrote them, "$..." strings read from
// the event (keeping their JSON types; a path that selects nothing leaves its key out). Without
// a body the message holds the event and its profile as the API shows them.
#include <weft/sdk.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

class Deliver {
public:
  enum class Port { out };
  static constexpr const char* ports[] = {"out"};
  static constexpr weft_config_field fields[] = {
      weft::required("destination", WEFT_FIELD_STRING, "the id of a destination in the destinations folder"),
      weft::optional("type", WEFT_FIELD_PATH_OR_LITERAL, "the message's type: a JSONPath or a literal", "$.type"),
      weft::optional("body", WEFT_FIELD_TEMPLATE, "the message's data; default: {\"event\", \"profile\"}"),
  };

  void configure(const weft::Config& config) {
    destination_ = *config.string("destination");
    type_ = config.string_or("type", "$.type");
    if (!type_.empty() && type_[0] == '$') type_path_ = config.host().compile(type_);
    if (const auto body = config.json("body")) {
      rapidjson::Document doc;
      doc.Parse(body->c_str(), body->size());  // the host wrote it
      body_ = std::make_unique<Part>(compile(doc, config.host()));
    }
  }

  Port process(weft::Event& event) const {
    std::string type = type_;
    if (type_path_) {
      const auto read = event.read(type_path_);
      if (!read || read->type != WEFT_TYPE_STRING || read->length == 0)
        throw weft::Error("the message type '" + type_ + "' selects no text in this event");
      type.assign(read->string, read->length);
    }
    std::optional<std::string> data;
    if (body_) {
      rapidjson::StringBuffer buffer;
      rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
      write(*body_, event, writer);
      data.emplace(buffer.GetString(), buffer.GetSize());
    }
    event.deliver(destination_, type, data);
    return Port::out;
  }

private:
  // The template, its paths compiled once.
  struct Part {
    enum class Kind { object, array, literal, path } kind = Kind::literal;
    std::vector<std::string> keys;               // object: its keys, in order
    std::vector<std::unique_ptr<Part>> items;    // object: the keys' values; array: its elements
    std::string literal;                         // literal: its JSON
    weft::Path path;
  };

  static Part compile(const rapidjson::Value& v, const weft::Host& host) {
    Part part;
    if (v.IsObject()) {
      part.kind = Part::Kind::object;
      for (const auto& m : v.GetObject()) {
        part.keys.emplace_back(m.name.GetString(), m.name.GetStringLength());
        part.items.push_back(std::make_unique<Part>(compile(m.value, host)));
      }
    } else if (v.IsArray()) {
      part.kind = Part::Kind::array;
      for (const auto& item : v.GetArray()) part.items.push_back(std::make_unique<Part>(compile(item, host)));
    } else if (v.IsString() && v.GetStringLength() > 0 && v.GetString()[0] == '$') {
      part.kind = Part::Kind::path;
      part.path = host.compile(std::string(v.GetString(), v.GetStringLength()));
    } else {
      rapidjson::StringBuffer buffer;
      rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
      v.Accept(writer);
      part.literal.assign(buffer.GetString(), buffer.GetSize());
    }
    return part;
  }

  // Writes `part`; false when it is a path that selects nothing (its key or element is left out).
  static bool write(const Part& part, const weft::Event& event, rapidjson::Writer<rapidjson::StringBuffer>& w) {
    switch (part.kind) {
      case Part::Kind::path: {
        const auto json = event.json(part.path);
        if (!json) return false;
        w.RawValue(json->data(), json->size(), rapidjson::kObjectType);
        return true;
      }
      case Part::Kind::literal:
        w.RawValue(part.literal.data(), part.literal.size(), rapidjson::kObjectType);
        return true;
      case Part::Kind::object:
        w.StartObject();
        for (std::size_t i = 0; i < part.keys.size(); ++i) {
          const Part& member = *part.items[i];
          if (member.kind == Part::Kind::path && !event.json(member.path)) continue;
          w.Key(part.keys[i].data(), static_cast<rapidjson::SizeType>(part.keys[i].size()));
          write(member, event, w);
        }
        w.EndObject();
        return true;
      case Part::Kind::array:
        w.StartArray();
        for (const auto& item : part.items) write(*item, event, w);
        w.EndArray();
        return true;
    }
    return false;
  }

  std::string destination_;
  std::string type_;  // a literal, or the text of type_path_
  weft::Path type_path_;
  std::unique_ptr<Part> body_;
};

WEFT_PLUGIN(Deliver, "deliver", "1.0.0", "Sends a message to a destination (SPEC 17) when the event is stored")
