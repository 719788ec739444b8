#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <regex>

#include "bt86/suite/kut.h"
#include "bt86/suite/manifest.h"
#include "bt86/suite/suite.h"

namespace bt86::suite {

std::string kut_env_path(const SuiteOptions& o) { return (std::filesystem::path(o.out_dir) / "kut.env").string(); }

std::vector<GuestEntry> take_shard(std::vector<GuestEntry> entries, unsigned index, unsigned count) {
  std::vector<GuestEntry> mine;
  for (size_t i = index; i < entries.size(); i += count) mine.push_back(std::move(entries[i]));
  return mine;
}

std::vector<GuestEntry> select_guests(const SuiteOptions& o) {
  std::vector<GuestEntry> all;
  for (const std::string& source : o.sources) {
    std::vector<GuestEntry> more = read_manifest(source);
    all.insert(all.end(), more.begin(), more.end());
  }
  if (!o.kut_dir.empty()) {
    std::vector<GuestEntry> more = read_kut(o.kut_dir, kut_env_path(o));
    all.insert(all.end(), more.begin(), more.end());
  }
  // Names are how reports and failure directories tell guests apart.
  std::map<std::string, const GuestEntry*> seen;
  for (const GuestEntry& e : all) {
    auto [it, fresh] = seen.emplace(e.name, &e);
    if (!fresh) throw SuiteError(fmt::format("{}: a guest named '{}' is already defined at {}", e.origin, e.name, it->second->origin));
  }
  if (!o.filter.empty()) {
    const std::regex re(o.filter);
    std::erase_if(all, [&](const GuestEntry& e) { return !std::regex_search(e.name, re); });
  }
  return take_shard(std::move(all), o.shard_index, o.shard_count);
}

}  // namespace bt86::suite
