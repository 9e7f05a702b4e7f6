// The lexer of our Jinja interpreter: template text into tokens, with the whitespace rules of the
// environment transformers renders chat templates in (trim_blocks=True, lstrip_blocks=True,
// keep_trailing_newline=False):
//   - line endings (\r\n, \r) become \n, and one newline at the very end of the template is dropped;
//   - "{%-" / "{{-" / "{#-" remove all whitespace before the tag, "-%}" / "-}}" / "-#}" all after it;
//   - trim_blocks: the first newline right after "%}" or "#}" is removed ("+%}" keeps it);
//   - lstrip_blocks: spaces and tabs between the start of a line and "{%" or "{#" are removed
//     ("{%+" keeps them); "{{" tags are never lstripped.
// Comments vanish; "{% raw %}...{% endraw %}" becomes text.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace srs::tokenizer::jinja {

struct Token {
    enum class Type { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, Eof };
    Type type = Type::Eof;
    std::string text;  // Text: the data; String: the unescaped value; others: as written
    std::size_t pos = 0;  // byte offset in the normalized source
};

// Line endings normalized and the trailing newline dropped, as Jinja reads a template. Token
// positions refer to this text.
std::string normalizeTemplateSource(const std::string& source);
// Throws JinjaError (unclosed tag or comment, a character that starts no token, unbalanced brackets).
std::vector<Token> tokenize(const std::string& normalized_source);

// "line L, column C" of a byte offset, for error messages.
std::string describePosition(const std::string& normalized_source, std::size_t pos);

}  // namespace srs::tokenizer::jinja
