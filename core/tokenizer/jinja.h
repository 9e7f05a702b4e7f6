// Our Jinja interpreter's facade: parse and render a template in one call, errors as Results.
// The modules behind it: jinja_lexer (text to tokens, whitespace control), jinja_parser (tokens
// to a tree), jinja_eval (the interpreter), jinja_builtins / jinja_filters / jinja_strings
// (attribute access, methods, operators, filters, tests), jinja_value (Python-like values).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/common/result.h"
#include "core/tokenizer/jinja_eval.h"

namespace srs::tokenizer {

// Renders `source` with the members of the JSON object `variables` as template variables, in
// their order (JSON null is none; a name not given is undefined). Errors: InvalidArgument with "line L, column C"
// and what could not be parsed or rendered; a template's raise_exception(message) surfaces as
// "the template raised an error: message".
Result<std::string> renderJinja(const std::string& source, const nlohmann::ordered_json& variables,
                                const jinja::RenderLimits& limits = {});

}  // namespace srs::tokenizer
