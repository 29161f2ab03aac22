// privaudit report FILE.json --format F [-o OUT]: re-render a saved report.
#include <memory>

#include "common.h"
#include "report/report_reader.h"

namespace privaudit::cli {

namespace {

struct ReportArgs {
  CommonOptions common;
  std::string input;
};

int run(ReportArgs& a) {
  if (!check_output_options(a.common)) return kExitError;
  Report r;
  std::string err;
  if (!load_report_file(a.input, r, err)) {
    print_error(err);
    return kExitError;
  }
  // The summary line is about the saved run; keep stderr quiet unless asked.
  return write_reports(r, a.common) ? kExitClean : kExitError;
}

}  // namespace

void register_report(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* sub = app.add_subcommand("report", "Re-render a saved JSON report as text, JSON Lines, SARIF, HTML or Markdown");
  sub->add_option("report", a->input, "A JSON report written by privaudit (--format json)")->required();
  add_common_options(*sub, a->common);
  a->common.quiet = true;
  sub->add_flag("-v,--verbose", [a](int64_t) { a->common.quiet = false; }, "Print the report's summary line on stderr");
  sub->callback([a, &exit_code]() { exit_code = run(*a); });
}

}  // namespace privaudit::cli
