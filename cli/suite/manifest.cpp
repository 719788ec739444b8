#include "bt86/suite/manifest.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fmt/format.h>
#include <regex>

#include "ini_reader.h"
#include "text.h"

namespace bt86::suite {

namespace {

namespace fs = std::filesystem;

// One value being applied: its text in the forms a key accepts, each
// refusal naming the file, line and key.
struct Value {
  const IniValue& ini;
  const std::string& key;
  const std::string& path;
  const fs::path& dir;

  [[noreturn]] void fail(const std::string& what) const {
    throw SuiteError(fmt::format("{}:{}: {}: {}", path, ini.line, key, what));
  }
  const std::string& text() const {
    if (ini.list) fail("expected one value, not a list");
    return ini.items.front();
  }
  const std::vector<std::string>& list() const { return ini.items; }
  std::string file() const {
    fs::path p(text());
    return (p.is_absolute() ? p : dir / p).lexically_normal().string();
  }
  double seconds() const {
    const std::string& s = text();
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !(v > 0)) fail(fmt::format("'{}' is not a number of seconds above 0", s));
    return v;
  }
  int status() const {
    const std::string& s = text();
    int v = -1;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 0 || v > 255) fail(fmt::format("'{}' is not an exit status (0-255)", s));
    return v;
  }
  std::vector<std::string> patterns() const {
    for (const std::string& p : list()) {
      try {
        std::regex re(p);
      } catch (const std::regex_error& e) {
        fail(fmt::format("/{}/ is not a regular expression: {}", p, e.what()));
      }
    }
    return list();
  }
  std::vector<std::string> backends() const {
    for (const std::string& b : list())
      if (b != "bt" && b != "kvm") fail(fmt::format("unknown backend '{}' (bt or kvm)", b));
    return list();
  }
};

struct Key {
  const char* name;
  void (*set)(GuestEntry&, const Value&);
};

// The keys of a guest (README.md, "Regression suites").
const Key kKeys[] = {
    {"kernel", [](GuestEntry& e, const Value& v) { e.kernel = v.file(); }},
    {"initrd", [](GuestEntry& e, const Value& v) { e.initrd = v.file(); }},
    {"append", [](GuestEntry& e, const Value& v) { e.append = v.text(); }},
    {"memory", [](GuestEntry& e, const Value& v) { e.memory = v.text(); }},
    {"clock",
     [](GuestEntry& e, const Value& v) {
       if (v.text() != "host" && v.text() != "wall" && v.text() != "virtual") v.fail("expected host, wall or virtual");
       e.clock = v.text();
     }},
    {"args", [](GuestEntry& e, const Value& v) { e.args = v.list(); }},
    {"backend",
     [](GuestEntry& e, const Value& v) {
       e.backends = v.backends();
       e.backends_why = fmt::format("runs only on {} (backend = {})", join(e.backends, " and "), join(e.backends, ","));
     }},
    {"kvm_needs", [](GuestEntry& e, const Value& v) { e.kvm_needs = join(v.list(), ","); }},
    {"timeout", [](GuestEntry& e, const Value& v) { e.timeout_seconds = v.seconds(); }},
    {"exit_status", [](GuestEntry& e, const Value& v) { e.exit_status = v.status(); }},
    {"skip_status", [](GuestEntry& e, const Value& v) { e.skip_status = v.status(); }},
    {"expect", [](GuestEntry& e, const Value& v) { e.expect = v.patterns(); }},
    {"reject", [](GuestEntry& e, const Value& v) { e.reject = v.patterns(); }},
    {"skip", [](GuestEntry& e, const Value& v) { e.skip = v.text(); }},
};

void apply(GuestEntry& e, const std::vector<std::pair<std::string, IniValue>>& keys, const std::string& path,
           const fs::path& dir) {
  for (const auto& [name, ini] : keys) {
    const Key* key = std::find_if(std::begin(kKeys), std::end(kKeys), [&](const Key& k) { return name == k.name; });
    Value value{ini, name, path, dir};
    if (key == std::end(kKeys)) value.fail("unknown key");
    key->set(e, value);
  }
}

GuestEntry make_entry(const std::string& name, int line, const std::string& group, const std::string& path,
                      const fs::path& dir, const std::vector<const IniSection*>& layers) {
  GuestEntry e;
  e.name = name;
  e.group = group;
  e.origin = fmt::format("{}:{}", path, line);
  for (const IniSection* s : layers) apply(e, s->keys, path, dir);
  if (e.kernel.empty() && e.skip.empty())
    throw SuiteError(fmt::format("{}: guest '{}' has no kernel", e.origin, name));
  return e;
}

std::vector<GuestEntry> parse(const std::string& text, const std::string& path, const std::string& group) {
  const std::vector<IniSection> sections = read_ini(text, path);
  const fs::path dir = fs::path(path).parent_path();
  std::vector<GuestEntry> entries;
  if (sections.size() == 1)  // no sections: the file is one guest
    return {make_entry(fs::path(path).stem().string(), 1, group, path, dir, {&sections[0]})};
  for (size_t i = 1; i < sections.size(); ++i)
    entries.push_back(make_entry(sections[i].name, sections[i].line, group, path, dir, {&sections[0], &sections[i]}));
  return entries;
}

}  // namespace

std::vector<GuestEntry> parse_manifest(const std::string& text, const std::string& path) {
  return parse(text, path, fs::path(path).stem().string());
}

std::vector<GuestEntry> read_manifest(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return parse(read_text_file(path), path, fs::path(path).stem().string());
  std::vector<fs::path> files;
  for (const fs::directory_entry& d : fs::directory_iterator(path))
    if (d.is_regular_file() && (d.path().extension() == ".toml" || d.path().extension() == ".ini")) files.push_back(d.path());
  if (files.empty()) throw SuiteError(fmt::format("{}: no *.toml or *.ini files in the directory", path));
  std::sort(files.begin(), files.end());
  const std::string group = fs::weakly_canonical(path).filename().string();
  std::vector<GuestEntry> entries;
  for (const fs::path& f : files) {
    std::vector<GuestEntry> more = parse(read_text_file(f.string()), f.string(), group);
    entries.insert(entries.end(), more.begin(), more.end());
  }
  return entries;
}

}  // namespace bt86::suite
