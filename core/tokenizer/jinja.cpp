#include "core/tokenizer/jinja.h"

#include "core/tokenizer/jinja_parser.h"

namespace srs::tokenizer {

namespace {

Error templateError(const std::string& source, const jinja::JinjaError& e, const char* stage) {
    const std::string where = jinja::describePosition(source, e.pos);
    if (dynamic_cast<const jinja::TemplateRaised*>(&e))
        return makeError(ErrorCode::InvalidArgument, std::string("the template raised an error: ") + e.what(),
                         "the template rejects these messages (its own check); change the conversation");
    return makeError(ErrorCode::InvalidArgument,
                     std::string("chat template ") + stage + " error" + (where.empty() ? "" : " at " + where) + ": " + e.what(),
                     "the template uses Jinja we do not support or is malformed; check the template text");
}

}  // namespace

Result<std::string> renderJinja(const std::string& source, const nlohmann::ordered_json& variables, const jinja::RenderLimits& limits) {
    std::shared_ptr<jinja::Template> tmpl;
    try {
        tmpl = jinja::parseTemplate(source);
    } catch (const jinja::JinjaError& e) {
        return templateError(jinja::normalizeTemplateSource(source), e, "syntax");
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("parsing a chat template failed: ") + e.what());
    }
    try {
        jinja::Dict vars;
        if (variables.is_object())
            for (auto it = variables.begin(); it != variables.end(); ++it) vars.emplace_back(it.key(), jinja::Value::fromJson(it.value()));
        jinja::Interpreter interp(*tmpl, limits);
        return interp.render(vars);
    } catch (const jinja::JinjaError& e) {
        return templateError(tmpl->source, e, "render");
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "rendering a chat template ran out of memory");
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("rendering a chat template failed: ") + e.what());
    }
}

}  // namespace srs::tokenizer
