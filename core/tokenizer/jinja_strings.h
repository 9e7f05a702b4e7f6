// Python's str operations as chat templates call them, on UTF-8 strings. Where Python works per
// code point (strip with characters, title, capitalize) we do too; letter case is changed for
// ASCII letters only (upper/lower/title of other scripts leave those characters as they are).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tokenizer/jinja_value.h"

namespace srs::tokenizer::jinja {

// which: 1 left, 2 right, 3 both. chars null: Python's whitespace.
std::string pyStrip(const std::string& s, const std::string* chars, int which);
// sep null: runs of whitespace, no empty parts. maxsplit < 0: no limit.
std::vector<std::string> pySplit(const std::string& s, const std::string* sep, std::int64_t maxsplit);
std::vector<std::string> pySplitLines(const std::string& s);
std::string pyReplace(const std::string& s, const std::string& old, const std::string& repl, std::int64_t count);
std::string asciiUpper(std::string s);
std::string asciiLower(std::string s);
std::string pyTitle(const std::string& s);       // str.title()
std::string pyCapitalize(const std::string& s);  // str.capitalize()
std::string jinjaTitle(const std::string& s);    // Jinja's |title filter (words split at spaces, -, brackets)
bool asciiClass(const std::string& s, const std::string& method);  // isdigit / isspace / isalpha / isalnum
// Python's "fmt % args" for %s %r %d %i %f %% (enough for templates' messages).
std::string pyPercentFormat(const std::string& fmt, const List& args, std::size_t pos);

}  // namespace srs::tokenizer::jinja
