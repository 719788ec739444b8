// Small text helpers the runner's files share.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace bt86::suite {

std::string join(const std::vector<std::string>& items, std::string_view separator);
std::vector<std::string> split(std::string_view text, char separator);
// A whole file; throws SuiteError("PATH: cannot read it").
std::string read_text_file(const std::string& path);

}  // namespace bt86::suite
