// `bootscope debug` (see debug_command.h): the window, or a script of the
// commands in commands.h.
#include "debug_command.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include "frontend/debug/commands.h"
#include "frontend/debug/debugger.h"
#include "frontend/debug/timeline.h"
#include "frontend/debug/ui.h"
#include "frontend/exit_status.h"

namespace bs::frontend {

using debug::Debugger;
using debug::Ui;

namespace {

int run_script(Debugger& d, Ui* ui, debug::Timeline* timeline, const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        spdlog::error("--script: cannot read '{}'", path);
        return kExitUsage;
    }
    debug::CommandRunner runner(d, ui);
    runner.set_timeline(timeline);
    std::string line;
    unsigned lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        std::string shown = line.substr(0, line.find('#'));
        while (!shown.empty() && std::isspace(static_cast<unsigned char>(shown.back()))) shown.pop_back();
        while (!shown.empty() && std::isspace(static_cast<unsigned char>(shown.front()))) shown.erase(0, 1);
        if (shown.empty()) continue;
        std::printf("> %s\n", shown.c_str());
        const debug::CommandResult r = runner.execute(line);
        std::fputs(r.output.c_str(), stdout);
        std::fflush(stdout);
        if (r.status == debug::CommandResult::Status::Quit) break;
        if (r.status == debug::CommandResult::Status::Failed) {
            spdlog::error("{}:{}: {}", path, lineno, r.error);
            return kExitDebugScript;
        }
    }
    return 0;
}

}  // namespace

int debug_command(const RunOptions& ro, const DebugOptions& opt) {
    int status = 0;
    std::unique_ptr<Debugger> d = Debugger::create(ro, status);
    if (!d) return status;
    // The boot timeline records from power-on, with or without a window.
    std::unique_ptr<debug::Timeline> timeline;
    if (!opt.no_timeline) {
        std::string bookmarks = opt.bookmarks;
        if (bookmarks.empty()) {
            const std::filesystem::path kernel = ro.kernel.empty() ? find_bundled("bzImage") : std::filesystem::path(ro.kernel);
            bookmarks = (kernel.parent_path() / "bootscope-bookmarks.txt").string();
        }
        timeline = std::make_unique<debug::Timeline>(*d, bookmarks);
    }
    std::unique_ptr<Ui> ui;
    if (!opt.no_window) {
        ui = std::make_unique<Ui>(*d);
        ui->set_timeline(timeline.get());
        std::string err;
        if (!ui->open(!opt.script.empty(), err)) {
            spdlog::error("{} (set SDL_VIDEODRIVER=offscreen for no display, or use --script with --no-window)", err);
            return kExitNoDisplay;
        }
        if (!ui->has_font())
            spdlog::warn("no PSF console font found (install console-setup-linux); the VGA pane shows plain text");
    }
    if (!opt.script.empty()) return run_script(*d, ui.get(), timeline.get(), opt.script);
    while (ui->frame()) {
    }
    return kExitQuit;
}

}  // namespace bs::frontend
