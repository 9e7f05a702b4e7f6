// srs_tokenize: the token ids our tokenizer gives a text, for a Python script to set beside the
// reference tokenizers' ids.
//
//   srs_tokenize --model PATH --text FILE [--add_bos]
//
// PATH is anything `signround eval` opens (a Hugging Face folder, an export, a .gguf with its
// embedded vocabulary). Prints the ids on one line, separated by blanks; errors go to stderr, exit 1.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "core/io/weight_source.h"
#include "core/tokenizer/load_tokenizer.h"

int main(int argc, char** argv) {
    std::string model, text_path;
    bool add_bos = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--model" && i + 1 < argc) model = argv[++i];
        else if (a == "--text" && i + 1 < argc) text_path = argv[++i];
        else if (a == "--add_bos") add_bos = true;
        else {
            std::cerr << "usage: srs_tokenize --model PATH --text FILE [--add_bos]\n";
            return 2;
        }
    }
    if (model.empty() || text_path.empty()) {
        std::cerr << "usage: srs_tokenize --model PATH --text FILE [--add_bos]\n";
        return 2;
    }
    std::ifstream in(text_path, std::ios::binary);
    if (!in) {
        std::cerr << "srs_tokenize: cannot read " << text_path << "\n";
        return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto source = srs::io::openWeightSource(model);
    if (!source) {
        std::cerr << "srs_tokenize: " << source.error().message << "\n";
        return 1;
    }
    auto tok = srs::tokenizer::loadTokenizerFor(**source);
    if (!tok) {
        std::cerr << "srs_tokenize: " << tok.error().message << "\n";
        return 1;
    }
    auto ids = (*tok)->tryEncode(ss.str(), add_bos);
    if (!ids) {
        std::cerr << "srs_tokenize: " << ids.error().message << "\n";
        return 1;
    }
    std::string line;
    for (std::size_t i = 0; i < ids->size(); ++i) line += (i ? " " : "") + std::to_string((*ids)[i]);
    std::cout << line << "\n";
    return 0;
}
