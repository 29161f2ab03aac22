// The "sampled" section of a scan report: the database tables read as a
// random sample (--sample) rather than in full.
#pragma once
#include <string>
#include <string_view>

namespace privaudit {

// "sampled: PATH: N rows (METHOD)" lines; empty for an empty or bad section.
std::string render_sampled_text(std::string_view json);
// The same as a Markdown list (with a heading).
std::string render_sampled_markdown(std::string_view json);

}  // namespace privaudit
