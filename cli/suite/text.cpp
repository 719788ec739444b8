#include "text.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "bt86/suite/entry.h"

namespace bt86::suite {

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += separator;
    out += items[i];
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SuiteError(fmt::format("{}: cannot read it", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace bt86::suite
