// The chatdesk command-line program.
#include <iostream>
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "chatdesk/core/error.hpp"
#include "chatdesk/version.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace chatdesk::cli;
  CLI::App app{
      "chatdesk: customer-service chat on a WhatsApp-Business-style platform, as a library.\n"
      "Each subcommand reads its input, prints JSON on stdout and problems on stderr;\n"
      "exit status 0 on success, 2 on bad input or usage, 1 on an internal failure.",
      "chatdesk"};
  app.set_version_flag("-V,--version", std::string("chatdesk ") + chatdesk::version_string);
  app.require_subcommand(1);
  app.footer(std::string("Documentation: ") + CHATDESK_DOCDIR +
             " where chatdesk is installed (docs/ in the source tree); sample rate cards: " +
             CHATDESK_DATADIR + "/rate_cards.\n");

  std::map<const CLI::App*, command> commands;
  auto remember = [&](command c) { commands[app.get_subcommands({}).back()] = std::move(c); };
  remember(add_phone_command(app));
  remember(add_simulate_command(app));
  remember(add_template_command(app));
  remember(add_price_command(app));
  remember(add_invoice_command(app));
  remember(add_forecast_command(app));
  remember(add_webhook_command(app));
  remember(add_support_command(app));
  remember(add_link_command(app));
  remember(add_payments_command(app));
  remember(add_attribution_command(app));

  // An unknown command: say which exist (CLI11 would only say one is required).
  if (argc > 1 && argv[1][0] != '-') {
    const std::string wanted = argv[1];
    std::string names;
    bool known = false;
    for (const auto* sub : app.get_subcommands({})) {
      known = known || sub->get_name() == wanted;
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::cerr << "chatdesk: '" << wanted << "' is not a command; the commands are " << names
                << " (chatdesk --help)\n";
      return exit_bad_input;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e, std::cout, std::cerr);
    return exit_bad_input;
  }
  for (const auto* sub : app.get_subcommands()) {
    auto it = commands.find(sub);
    if (it != commands.end()) {
      try {
        return it->second(std::cout, std::cerr);
      } catch (const chatdesk::exception& e) {
        // Amounts beyond the exact range (about 9.2 trillion) come from the input, not from a bug.
        if (e.err().code == "decimal.overflow" || e.err().code == "money.overflow") {
          std::cerr << "chatdesk: the input's amounts are too large to add up exactly: " << e.what() << '\n';
          return exit_bad_input;
        }
        std::cerr << "chatdesk: internal error: " << e.what() << '\n';
        return exit_failure;
      } catch (const std::exception& e) {
        std::cerr << "chatdesk: internal error: " << e.what() << '\n';
        return exit_failure;
      }
    }
  }
  return exit_bad_input;
}
