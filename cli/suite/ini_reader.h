// A reader for the small INI/TOML-like files of suites: `[section]`
// headers, `key = value` lines and `#` comments. A value is a "basic
// string" (escapes \\ \" \n \t), a 'literal string', a [list, of, values]
// (which may span lines), or bare text up to the end of the line or a
// ` #` comment (numbers, words, kvm-unit-tests' unquoted qemu_params).
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bt86::suite {

struct IniValue {
  std::vector<std::string> items;  // one item unless `list`
  bool list = false;
  int line = 0;
};

struct IniSection {
  std::string name;  // empty: the keys before the first header
  int line = 0;
  std::vector<std::pair<std::string, IniValue>> keys;
};

// Sections in file order; the first one holds the keys before any header
// (it is there, maybe empty, even if the file has none). `path` is for
// messages: errors throw SuiteError("PATH:LINE: what").
std::vector<IniSection> read_ini(std::string_view text, const std::string& path);

}  // namespace bt86::suite
