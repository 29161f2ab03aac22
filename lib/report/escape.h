// Escaping for the human formats: every string that comes from the data
// (paths, fields, messages, masked values, error texts) goes through one of
// these before it is written.
#pragma once
#include <string>
#include <string_view>

namespace privaudit {

// HTML text and attribute values: & < > " ' become entities; bytes that are
// not UTF-8 become U+FFFD; other control characters become spaces.
std::string html_escape(std::string_view s);

// Markdown (GitHub-flavoured) inline text, safe inside a table cell: HTML
// specials become entities, Markdown punctuation is backslash-escaped, and
// line breaks become spaces.
std::string markdown_escape(std::string_view s);

// A report path as a SARIF artifact URI: relative paths stay relative
// ("./" dropped), absolute ones become file:// URIs; every byte but the
// unreserved characters, '/' and '!' (archive members: "a.zip!/b.csv") is
// percent-encoded.
std::string path_to_uri(std::string_view path);

// Number of code points in UTF-8 text.
size_t code_points(std::string_view s);

}  // namespace privaudit
