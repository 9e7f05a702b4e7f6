// What our Jinja interpreter offers templates besides syntax: filters, tests, attribute and item
// access (with the str and dict methods published chat templates call), Python's operators on our
// values, and the globals transformers defines (range, namespace, dict, raise_exception,
// strftime_now).
#pragma once

#include <string>

#include "core/tokenizer/jinja_eval.h"
#include "core/tokenizer/jinja_value.h"

namespace srs::tokenizer::jinja {

Value applyFilter(Interpreter& in, const std::string& name, const Value& input, const CallArgs& args);
bool applyTest(Interpreter& in, const std::string& name, const Value& input, const CallArgs& args);

// Jinja's getattr: a method or the dict key; undefined when absent. Throws on an undefined object.
Value getAttribute(const Value& obj, const std::string& name, std::size_t pos);
// Jinja's getitem: index, key, or (for a string key) the attribute; undefined when absent.
Value getItem(const Value& obj, const Value& key, std::size_t pos);
// Python's a[start:stop:step] on a list, tuple or string (null parts: omitted).
Value sliceValue(const Value& obj, const Value* start, const Value* stop, const Value* step, std::size_t pos);

// Python's binary operators (+ - * / // % ** and Jinja's ~).
Value binaryOp(Interpreter& in, const std::string& op, const Value& a, const Value& b, std::size_t pos);
// Python's "a in b".
bool containsValue(const Value& container, const Value& item, std::size_t pos);

// range, namespace, dict, raise_exception, strftime_now.
Dict makeGlobals();

// Throws the undefined value's own error ("'x' is undefined") when v is undefined.
void requireDefined(const Value& v, std::size_t pos);

}  // namespace srs::tokenizer::jinja
