#include "report/html.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <map>

#include "report/escape.h"
#include "report/sections.h"

namespace privaudit {

namespace {

constexpr Severity kSeverities[] = {Severity::critical, Severity::high, Severity::medium,
                                    Severity::low, Severity::info};

const char* severity_colour(Severity s) {
  switch (s) {
    case Severity::critical: return "#b3001b";
    case Severity::high: return "#e4572e";
    case Severity::medium: return "#f3a712";
    case Severity::low: return "#2a9d8f";
    case Severity::info: return "#6c757d";
  }
  return "#6c757d";
}

constexpr const char* kStyle = R"CSS(
:root{--fg:#1d2430;--muted:#5b6472;--bg:#fff;--card:#f5f7fa;--line:#dde2ea;--accent:#3454d1}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#9aa3b2;--bg:#14171c;--card:#1e232b;--line:#2e3540;--accent:#8ea2ff}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:1.5rem;font:15px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK JP","Hiragino Sans",sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:2rem 0 .6rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}
.meta{color:var(--muted);margin:0}
.note{color:var(--muted);font-size:.9rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:.6rem;margin-top:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.6rem .8rem}
.card .n{font-size:1.5rem;font-weight:650;font-variant-numeric:tabular-nums}
.card .l{color:var(--muted);font-size:.85rem}
.card.sev{border-left:6px solid var(--c)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1rem}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.6rem}
figcaption{font-weight:600;margin-bottom:.3rem}
svg text{fill:var(--fg);font-size:12px}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{white-space:nowrap}td code{white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.path{word-break:break-all;min-width:14rem}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace}
.sev-badge{display:inline-block;padding:0 .45rem;border-radius:999px;color:#fff;font-size:.8rem;background:var(--c)}
th button{all:unset;cursor:pointer;font-weight:600}
th button::after{content:" \2195";color:var(--muted)}
th[aria-sort=ascending] button::after{content:" \2191"}th[aria-sort=descending] button::after{content:" \2193"}
.controls{display:flex;gap:.6rem;flex-wrap:wrap;margin:.4rem 0 .6rem}
.controls input,.controls select{font:inherit;padding:.25rem .4rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
.scroll{overflow-x:auto}
)CSS";

// Enhances the findings table: sortable columns, a text filter and a
// severity filter. The page is complete without it.
constexpr const char* kScript = R"JS(
(function(){
var t=document.getElementById('findings-table');if(!t)return;
var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);
var c=document.getElementById('findings-controls');c.hidden=false;
var q=document.getElementById('filter-text'),sv=document.getElementById('filter-severity'),n=document.getElementById('filter-count');
function apply(){var s=q.value.toLowerCase(),v=sv.value,k=0;rows.forEach(function(r){var ok=(!v||r.getAttribute('data-severity')===v)&&(!s||r.textContent.toLowerCase().indexOf(s)>=0);r.hidden=!ok;if(ok)k++;});n.textContent=k+' of '+rows.length+' shown';}
q.addEventListener('input',apply);sv.addEventListener('change',apply);
var ths=t.tHead.rows[0].cells;
Array.prototype.forEach.call(ths,function(th,i){var b=th.querySelector('button');if(!b)return;b.addEventListener('click',function(){
var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;Array.prototype.forEach.call(ths,function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',dir>0?'ascending':'descending');var num=th.classList.contains('num');
rows.sort(function(a,b){var x=a.cells[i],y=b.cells[i];var p=x.getAttribute('data-sort')||x.textContent,q2=y.getAttribute('data-sort')||y.textContent;
if(num){p=parseFloat(p)||0;q2=parseFloat(q2)||0;return (p-q2)*dir;}return p.localeCompare(q2)*dir;});
rows.forEach(function(r){body.appendChild(r);});});});
apply();
})();
)JS";

std::string sha256_base64(std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(b64, md, static_cast<int>(len));
  return std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

// Cuts UTF-8 text to at most `max` code points, keeping its end (where a
// path's file name is) after an ellipsis.
std::string shorten(std::string_view s, size_t max) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  if (starts.size() <= max || max < 2) return std::string(s);
  return "\xE2\x80\xA6" + std::string(s.substr(starts[starts.size() - (max - 1)]));
}

std::string human_bytes(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.1f} {}", v, units[u]);
}

void card(std::string& o, const std::string& n, const std::string& label, const char* colour = nullptr) {
  if (colour)
    o += fmt::format("<div class=\"card sev\" style=\"--c:{}\"><div class=\"n\">{}</div><div class=\"l\">{}</div></div>\n",
                     colour, n, label);
  else
    o += fmt::format("<div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">{}</div></div>\n", n, label);
}

struct Bar {
  std::string label;
  uint64_t value;
  const char* colour;
};

// A horizontal bar chart as inline SVG; labels are escaped here.
void bar_chart(std::string& o, const std::string& title, const std::vector<Bar>& bars) {
  o += "<figure><figcaption>" + html_escape(title) + "</figcaption>\n";
  if (bars.empty()) {
    o += "<p class=\"note\">No findings.</p></figure>\n";
    return;
  }
  const int row = 22, label_w = 220, bar_w = 300, width = label_w + bar_w + 70;
  int height = static_cast<int>(bars.size()) * row + 6;
  uint64_t max = 1;
  for (auto& b : bars) max = std::max(max, b.value);
  o += fmt::format("<svg viewBox=\"0 0 {} {}\" width=\"100%\" role=\"img\" aria-label=\"{}\">\n", width, height,
                   html_escape(title));
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    int y = static_cast<int>(i) * row + 3;
    double w = std::max(2.0, static_cast<double>(b.value) / static_cast<double>(max) * bar_w);
    o += fmt::format("<g><title>{}: {}</title>", html_escape(b.label), b.value);
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", label_w - 6, y + 15,
                     html_escape(shorten(b.label, 32)));
    o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" rx=\"3\" fill=\"{}\"></rect>", label_w, y + 2, w,
                     row - 6, b.colour);
    o += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{}</text></g>\n", label_w + w + 6, y + 15, b.value);
  }
  o += "</svg></figure>\n";
}

// The top `n` of counts, largest first, ties by name.
std::vector<std::pair<std::string, uint64_t>> top(const std::map<std::string, uint64_t>& counts, size_t n) {
  std::vector<std::pair<std::string, uint64_t>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second > b.second; });
  if (v.size() > n) v.resize(n);
  return v;
}

void header(std::string& o, const Report& r) {
  o += "<header><h1>privaudit report</h1>\n<p class=\"meta\">";
  o += fmt::format("<span class=\"mono\">privaudit {}</span> · command <b>{}</b>", html_escape(r.tool_version),
                   html_escape(r.command));
  if (!r.started_at.empty()) o += " · started " + html_escape(r.started_at);
  o += fmt::format(" · {} ms · fingerprint key: {}</p>\n", r.duration_ms, html_escape(r.fingerprint_key));
  o += "<p class=\"note\">Values are masked (at most the last four characters are shown); fingerprints are keyed "
       "HMACs. This page loads nothing from the network.</p></header>\n";
}

void summary_cards(std::string& o, const Report& r, const Summary& s) {
  o += "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">\n";
  card(o, fmt::format("{}", s.findings), "findings");
  for (Severity sev : kSeverities) {
    auto it = s.by_severity.find(std::string(to_string(sev)));
    card(o, fmt::format("{}", it == s.by_severity.end() ? 0 : it->second), std::string(to_string(sev)),
         severity_colour(sev));
  }
  card(o, fmt::format("{}", r.files), "files scanned");
  card(o, human_bytes(r.bytes), fmt::format("scanned ({} bytes)", r.bytes));
  card(o, fmt::format("{}", s.suppressed), "suppressed");
  card(o, fmt::format("{}", r.skipped.size()), "skipped inputs");
  card(o, fmt::format("{}", r.errors.size()), "errors");
  o += "</div></section>\n";
}

void rules_table(std::string& o, const Report& r, const Summary& s) {
  o += "<section id=\"rules\"><h2>Distinct values per rule</h2>\n";
  if (s.by_rule.empty()) {
    o += "<p>No findings.</p></section>\n";
    return;
  }
  std::map<std::string, const RuleInfo*> info;
  for (auto& ri : r.rules) info.emplace(ri.id, &ri);
  std::map<std::string, Severity> sev;
  for (auto& f : r.findings) sev.emplace(f.rule, f.severity);
  o += "<div class=\"scroll\"><table><thead><tr><th>Rule</th><th>Name</th><th>Severity</th><th class=\"num\">Findings</th>"
       "<th class=\"num\">Distinct values</th></tr></thead><tbody>\n";
  for (auto& [rule, n] : top(s.by_rule, s.by_rule.size())) {
    auto it = info.find(rule);
    auto dv = s.distinct_values.find(rule);
    Severity sv = sev[rule];
    o += fmt::format("<tr><td><code>{}</code></td><td>{}</td><td><span class=\"sev-badge\" style=\"--c:{}\">{}</span></td>"
                     "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                     html_escape(rule), it == info.end() ? "" : html_escape(it->second->name), severity_colour(sv),
                     to_string(sv), n, dv == s.distinct_values.end() ? 0 : dv->second);
  }
  o += "</tbody></table></div></section>\n";
}

void charts(std::string& o, const Report& r, const Summary& s) {
  std::map<std::string, Severity> sev;
  std::map<std::string, uint64_t> by_file;
  for (auto& f : r.findings) {
    sev.emplace(f.rule, f.severity);
    ++by_file[f.path];
  }
  std::vector<Bar> rule_bars, file_bars;
  for (auto& [rule, n] : top(s.by_rule, 20)) rule_bars.push_back({rule, n, severity_colour(sev[rule])});
  for (auto& [path, n] : top(by_file, 20)) file_bars.push_back({path, n, "#3454d1"});
  o += "<section id=\"charts\"><h2>Charts</h2><div class=\"charts\">\n";
  bar_chart(o, "Findings by rule (top 20)", rule_bars);
  bar_chart(o, "Findings by file (top 20)", file_bars);
  o += "</div></section>\n";
}

void findings_table(std::string& o, const Report& r) {
  o += fmt::format("<section id=\"findings\"><h2>Findings ({})</h2>\n", r.findings.size());
  if (r.findings.empty()) {
    o += "<p>No findings.</p></section>\n";
    return;
  }
  o += "<div class=\"controls\" id=\"findings-controls\" hidden><input id=\"filter-text\" type=\"search\" "
       "placeholder=\"Filter: path, rule, field…\" aria-label=\"Filter findings\"><select id=\"filter-severity\" "
       "aria-label=\"Severity\"><option value=\"\">all severities</option>";
  for (Severity sev : kSeverities) o += fmt::format("<option>{}</option>", to_string(sev));
  o += "</select><span class=\"note\" id=\"filter-count\"></span></div>\n";
  o += "<div class=\"scroll\"><table id=\"findings-table\"><thead><tr>"
       "<th class=\"num\"><button type=\"button\">Severity</button></th><th class=\"num\"><button type=\"button\">Confidence</button></th>"
       "<th><button type=\"button\">Rule</button></th><th><button type=\"button\">Path</button></th>"
       "<th class=\"num\"><button type=\"button\">Line</button></th><th class=\"num\"><button type=\"button\">Col</button></th>"
       "<th><button type=\"button\">Field</button></th><th class=\"num\"><button type=\"button\">Record</button></th>"
       "<th><button type=\"button\">Masked value</button></th><th><button type=\"button\">Fingerprint</button></th>"
       "</tr></thead><tbody>\n";
  size_t n = std::min(r.findings.size(), kHtmlMaxRows);
  for (size_t i = 0; i < n; ++i) {
    const Finding& f = r.findings[i];
    auto sv = to_string(f.severity);
    o += fmt::format("<tr data-severity=\"{}\"><td data-sort=\"{}\"><span class=\"sev-badge\" style=\"--c:{}\">{}</span></td>",
                     sv, static_cast<int>(f.severity), severity_colour(f.severity), sv);
    o += fmt::format("<td data-sort=\"{}\">{}</td>", static_cast<int>(f.confidence), to_string(f.confidence));
    o += "<td><code>" + html_escape(f.rule) + "</code></td><td class=\"path\">" + html_escape(f.path) + "</td>";
    o += f.line ? fmt::format("<td class=\"num\">{}</td>", f.line) : "<td class=\"num\"></td>";
    o += f.column ? fmt::format("<td class=\"num\">{}</td>", f.column) : "<td class=\"num\"></td>";
    o += "<td>" + html_escape(f.field) + "</td>";
    o += f.record >= 0 ? fmt::format("<td class=\"num\">{}</td>", f.record) : "<td class=\"num\"></td>";
    // Computed findings (risk-, link-, consent-) have a message, not a value.
    o += f.masked.empty() ? "<td>" + html_escape(f.message) + "</td>" : "<td class=\"mono\">" + html_escape(f.masked) + "</td>";
    o += "<td class=\"mono\">" + html_escape(f.fingerprint) +
         "</td></tr>\n";
  }
  o += "</tbody></table></div>\n";
  if (n < r.findings.size())
    o += fmt::format("<p class=\"note\">The first {} of {} findings are listed; the JSON report holds them all.</p>\n", n,
                     r.findings.size());
  o += "</section>\n";
}

void inputs(std::string& o, const Report& r) {
  o += fmt::format("<section id=\"errors\"><h2>Errors ({})</h2>\n", r.errors.size());
  if (r.errors.empty()) {
    o += "<p>Every input was read.</p>\n";
  } else {
    o += "<div class=\"scroll\"><table><thead><tr><th>Path</th><th>Error</th></tr></thead><tbody>\n";
    for (auto& e : r.errors)
      o += "<tr><td class=\"path\">" + html_escape(e.path) + "</td><td>" + html_escape(e.error) + "</td></tr>\n";
    o += "</tbody></table></div>\n";
  }
  o += fmt::format("</section>\n<section id=\"skipped\"><h2>Skipped inputs ({})</h2>\n", r.skipped.size());
  if (r.skipped.empty()) {
    o += "<p>No input was skipped.</p>\n";
  } else {
    o += "<div class=\"scroll\"><table><thead><tr><th>Path</th><th>Reason</th></tr></thead><tbody>\n";
    for (auto& s : r.skipped)
      o += "<tr><td class=\"path\">" + html_escape(s.path) + "</td><td>" + html_escape(s.reason) + "</td></tr>\n";
    o += "</tbody></table></div>\n";
  }
  o += "</section>\n";
}

}  // namespace

std::string render_html(const Report& r) {
  Summary s = summarize(r);
  std::string o;
  o.reserve(4096 + r.findings.size() * 400);
  o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  o += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
       "img-src data:; script-src 'sha256-" +
       sha256_base64(kScript) + "'\">\n";
  o += "<meta name=\"referrer\" content=\"no-referrer\">\n";
  o += fmt::format("<title>privaudit {} report: {} findings</title>\n", html_escape(r.command), s.findings);
  o += std::string("<style>") + kStyle + "</style>\n</head>\n<body>\n";
  header(o, r);
  summary_cards(o, r, s);
  rules_table(o, r, s);
  charts(o, r, s);
  findings_table(o, r);
  for (auto& [name, json] : r.sections) o += render_section_html(name, json);
  inputs(o, r);
  o += std::string("<script>") + kScript + "</script>\n</body>\n</html>\n";
  return o;
}

}  // namespace privaudit
