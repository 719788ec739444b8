#include "ini_reader.h"

#include <fmt/format.h>

#include "bt86/suite/entry.h"

namespace bt86::suite {

namespace {

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// The text after `key =`, possibly over several lines (a list), read
// character by character.
class ValueParser {
public:
  ValueParser(std::string_view text, size_t pos, int line, const std::string& path)
      : text_(text), pos_(pos), line_(line), path_(path) {}

  IniValue parse() {
    IniValue v;
    v.line = line_;
    skip_blanks();
    if (peek() == '[') {
      ++pos_;
      v.list = true;
      parse_list(v.items);
    } else if (peek() == '"' || peek() == '\'') {
      v.items.push_back(quoted());
    } else {
      v.items.push_back(peek() == '#' ? "" : bare(false));
      if (v.items.back().empty()) fail("a value is missing after '='");
    }
    skip_blanks();
    if (peek() == '#') skip_to_line_end();
    if (!at_line_end()) fail(fmt::format("unexpected '{}' after the value", peek()));
    return v;
  }
  size_t pos() const { return pos_; }  // at the end of the value's last line
  int line() const { return line_; }

private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\n'; }
  bool at_line_end() const { return peek() == '\n'; }
  void skip_blanks() {  // a CR of a CRLF line end too
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r')) ++pos_;
  }
  void skip_to_line_end() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw SuiteError(fmt::format("{}:{}: {}", path_, line_, what));
  }

  // Inside [ ... ]: items separated by commas; blank lines, comments and a
  // trailing comma allowed.
  void parse_list(std::vector<std::string>& items) {
    for (;;) {
      skip_space_and_comments();
      if (pos_ >= text_.size()) fail("the list has no closing ']'");
      if (peek() == ']') {
        ++pos_;
        return;
      }
      items.push_back(peek() == '"' || peek() == '\'' ? quoted() : bare(true));
      if (items.back().empty()) fail("an empty item in the list");
      skip_space_and_comments();
      if (peek() == ',') ++pos_;
      else if (peek() != ']') fail("expected ',' or ']' in the list");
    }
  }
  void skip_space_and_comments() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '#') skip_to_line_end();
      else if (c == '\n') ++line_, ++pos_;
      else if (c == ' ' || c == '\t' || c == '\r') ++pos_;
      else break;
    }
  }

  std::string quoted() {
    const char quote = text_[pos_++];
    std::string out;
    for (;;) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') fail("a string has no closing quote");
      char c = text_[pos_++];
      if (c == quote) return out;
      if (c != '\\' || quote == '\'') {
        out += c;
        continue;
      }
      char e = pos_ < text_.size() ? text_[pos_++] : '\n';
      switch (e) {
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        default: fail(fmt::format("unknown escape '\\{}' (a 'literal string' keeps backslashes)", e));
      }
    }
  }

  // Up to the end of the line, a ` #` comment, or (in a list) ',' or ']'.
  std::string bare(bool in_list) {
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '\n') {
      char c = text_[pos_];
      if (in_list && (c == ',' || c == ']')) break;
      if (c == '#' && pos_ > start && (text_[pos_ - 1] == ' ' || text_[pos_ - 1] == '\t')) break;
      ++pos_;
    }
    std::string_view v = text_.substr(start, pos_ - start);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
    return std::string(v);
  }

  std::string_view text_;
  size_t pos_;
  int line_;
  const std::string& path_;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<IniSection> read_ini(std::string_view text, const std::string& path) {
  std::vector<IniSection> sections(1);
  int line = 1;
  for (size_t pos = 0; pos < text.size(); ++line) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view content = trim(text.substr(pos, end - pos));
    auto fail = [&](const std::string& what) { throw SuiteError(fmt::format("{}:{}: {}", path, line, what)); };
    if (content.empty() || content.front() == '#') {
      pos = end + 1;
      continue;
    }
    if (content.front() == '[') {
      size_t close = content.find(']');
      std::string_view rest = close == std::string_view::npos ? "" : trim(content.substr(close + 1));
      if (close == std::string_view::npos || (!rest.empty() && rest.front() != '#'))
        fail("a section header is '[name]'");
      std::string name(trim(content.substr(1, close - 1)));
      if (name.empty()) fail("a section needs a name");
      for (const IniSection& s : sections)
        if (s.name == name) fail(fmt::format("section [{}] is already defined at line {}", name, s.line));
      sections.push_back({name, line, {}});
      pos = end + 1;
      continue;
    }
    size_t key_end = 0;
    while (key_end < content.size() && is_key_char(content[key_end])) ++key_end;
    std::string key(content.substr(0, key_end));
    if (key.empty() || trim(content.substr(key_end)).substr(0, 1) != "=")
      fail(fmt::format("expected 'key = value' or '[section]', not '{}'", content));
    for (const auto& [k, v] : sections.back().keys)
      if (k == key) fail(fmt::format("key '{}' is already set at line {}", key, v.line));
    size_t value_pos = static_cast<size_t>(content.data() - text.data()) + content.find('=') + 1;
    ValueParser parser(text, value_pos, line, path);
    sections.back().keys.emplace_back(key, parser.parse());
    line = parser.line();
    end = text.find('\n', parser.pos());
    pos = end == std::string_view::npos ? text.size() : end + 1;
  }
  return sections;
}

}  // namespace bt86::suite
