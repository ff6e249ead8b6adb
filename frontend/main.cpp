// bootscope: the command line. Subcommands are added as the machine grows.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>

int main(int argc, char** argv) {
    CLI::App app{"Bootscope: a full-system x86-64 PC emulator for watching a kernel boot", "bootscope"};
    app.set_version_flag("--version", "bootscope " BOOTSCOPE_VERSION);
    auto* run = app.add_subcommand("run", "Boot the bundled guest with its serial console on the terminal");
    (void)run;
    CLI11_PARSE(app, argc, argv);
    return 0;
}
