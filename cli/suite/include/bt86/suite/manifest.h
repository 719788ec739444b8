// Suites written for bt86: one manifest file with a [section] per guest,
// or a directory of such files (*.toml, *.ini), where a file without
// sections is one guest named after the file. Keys before a file's first
// section are defaults for all its sections. The keys are in README.md
// ("Regression suites"); relative paths are relative to the file.
#pragma once
#include <string>
#include <vector>

#include "bt86/suite/entry.h"

namespace bt86::suite {

// Every guest of the manifest file or directory at `path`, in file order
// (a directory's files sorted by name). Throws SuiteError naming the file
// and line of what is wrong.
std::vector<GuestEntry> read_manifest(const std::string& path);

// One manifest's text (for tests): `path` names it in messages and is
// where relative paths start; `group` is its entries' group.
std::vector<GuestEntry> parse_manifest(const std::string& text, const std::string& path);

}  // namespace bt86::suite
