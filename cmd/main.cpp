// privaudit: audit data for privacy leaks. One binary, one subcommand per
// cmd/<name>.cpp.
#include <cstdio>

#include "common.h"

int main(int argc, char** argv) {
  using namespace privaudit::cli;
  CLI::App app{"privaudit: find leaked identifiers (My Number, cards, e-mail ...), "
               "re-identification risk, linkability and consent gaps in data releases"};
  app.set_version_flag("--version", std::string("privaudit ") + PRIVAUDIT_VERSION);
  app.require_subcommand(1);
  app.footer("Run 'privaudit SUBCOMMAND --help' for a subcommand's options; man privaudit.");
  int exit_code = kExitClean;
  register_scan(app, exit_code);
  register_rules(app, exit_code);
  register_consent(app, exit_code);
  register_link(app, exit_code);
  register_report(app, exit_code);
  register_risk(app, exit_code);
  register_redact(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0.
    int rc = app.exit(e);
    return rc == 0 ? kExitClean : kExitError;
  }
  return exit_code;
}
