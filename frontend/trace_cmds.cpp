// `bootscope trace show` and `bootscope trace phases`: the boot's call tree
// and its phases, symbolised from the guest's ELF files.
#include "trace_cmds.h"

#include <spdlog/spdlog.h>

#include <fnmatch.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>

#include "emu/trace/analysis.h"
#include "exit_status.h"

namespace bs::frontend {

namespace fs = std::filesystem;
using namespace bs::emu::trace;

namespace {

// The path in a header line "kernel: PATH N bytes fnv1a64:H".
std::string header_path(const Trace& t, const std::string& key) {
    const std::string v = t.header_value(key);
    return v.substr(0, v.find(' '));
}

}  // namespace

// Kernel symbols from --vmlinux or the vmlinux beside the traced kernel;
// user programs' symbols from the ELF files in the initrd.
bool load_trace_symbols(const Trace& t, const TraceReadOptions& opt, Symbolizer& syms) {
    std::string vmlinux = opt.vmlinux;
    if (vmlinux.empty()) {
        const std::string kernel = header_path(t, "kernel");
        if (!kernel.empty()) vmlinux = (fs::path(kernel).parent_path() / "vmlinux").string();
    }
    if (!vmlinux.empty()) {
        try {
            if (!syms.add_kernel(vmlinux)) {
                if (!opt.vmlinux.empty()) {
                    spdlog::error("--vmlinux: cannot read '{}'", vmlinux);
                    return false;
                }
                spdlog::warn("no kernel symbols ('{}' not found; name it with --vmlinux)", vmlinux);
            }
        } catch (const SymbolError& e) {
            spdlog::error("{}", e.what());
            return false;
        }
    }
    // The firmware's and the setup code's ELF files beside their images.
    const std::string setup_addr = t.header_value("setup-addr");
    syms.add_boot_regions(header_path(t, "firmware"), header_path(t, "kernel"),
                          setup_addr.empty() ? 0 : std::stoull(setup_addr, nullptr, 0));
    const std::string initrd = opt.initrd.empty() ? header_path(t, "initrd") : opt.initrd;
    if (!initrd.empty()) syms.add_programs(initrd);
    return true;
}

bool load_trace(const std::string& path, Trace& t) {
    try {
        t = read_trace_file(path);
    } catch (const TraceError& e) {
        spdlog::error("{}: {}", path, e.what());
        return false;
    }
    return true;
}

namespace {

uint64_t insns(const Node& n) { return n.end_icount - n.start_icount; }

struct ShowState {
    const TraceReadOptions& opt;
    std::string out;
};

void print_node(ShowState& st, const Node& n, unsigned depth, unsigned repeat, uint64_t repeat_insns);

bool filtering(const TraceReadOptions& o) { return !o.match.empty() || !o.section.empty(); }
bool selected(const TraceReadOptions& o, const Node& n) {
    if (!o.match.empty() && fnmatch(o.match.c_str(), n.name.c_str(), 0) != 0) return false;
    if (!o.section.empty() && n.section != o.section) return false;
    return true;
}
// With --match/--section, the nodes that are shown, looking through the
// others: the selected descendants nearest to `n`.
void gather_selected(const TraceReadOptions& o, const Node& n, std::vector<const Node*>& out) {
    for (const auto& c : n.children) {
        if (selected(o, *c)) out.push_back(c.get());
        else gather_selected(o, *c, out);
    }
}

// Children, with runs of identical leaves collapsed ("name(); x N").
void print_children(ShowState& st, const Node& n, unsigned depth) {
    std::vector<const Node*> c;
    if (filtering(st.opt)) {
        gather_selected(st.opt, n, c);
    } else {
        for (const auto& x : n.children) c.push_back(x.get());
    }
    const bool at_limit = st.opt.depth != 0 && depth + 1 >= st.opt.depth;
    auto leaf = [&](const Node& x) {
        if (at_limit) return true;
        if (!filtering(st.opt)) return x.children.empty();
        std::vector<const Node*> below;
        gather_selected(st.opt, x, below);
        return below.empty();
    };
    for (size_t k = 0; k < c.size();) {
        size_t run = 1;
        uint64_t total = insns(*c[k]);
        if (leaf(*c[k])) {
            while (k + run < c.size() && leaf(*c[k + run]) && c[k + run]->name == c[k]->name &&
                   c[k + run]->type == c[k]->type) {
                total += insns(*c[k + run]);
                ++run;
            }
        }
        print_node(st, *c[k], depth, static_cast<unsigned>(run), total);
        k += run;
    }
}

void print_node(ShowState& st, const Node& n, unsigned depth, unsigned repeat, uint64_t repeat_insns) {
    if (st.opt.min_insns && repeat_insns < st.opt.min_insns) return;
    if (st.opt.min_ns && n.end_ns - n.start_ns < st.opt.min_ns && repeat == 1) return;
    const std::string indent(2 * depth, ' ');
    bool has_children = !n.children.empty();
    if (filtering(st.opt)) {
        std::vector<const Node*> below;
        gather_selected(st.opt, n, below);
        has_children = !below.empty();
    }
    const bool open_children = has_children && (st.opt.depth == 0 || depth + 1 < st.opt.depth);
    const char* suffix = n.type == Node::Type::Call ? "()" : "";
    char line[512];
    if (!open_children) {
        if (repeat > 1)
            std::snprintf(line, sizeof line, "%s%s%s; x %u  %" PRIu64 " insns\n", indent.c_str(), n.name.c_str(), suffix,
                          repeat, repeat_insns);
        else
            std::snprintf(line, sizeof line, "%s%s%s;  %" PRIu64 " insns%s\n", indent.c_str(), n.name.c_str(), suffix,
                          insns(n), n.closed || n.type == Node::Type::Root ? "" : " (not returned)");
        st.out += line;
        return;
    }
    std::snprintf(line, sizeof line, "%s%s%s {\n", indent.c_str(), n.name.c_str(), suffix);
    st.out += line;
    print_children(st, n, depth + 1);
    std::snprintf(line, sizeof line, "%s}  %" PRIu64 " insns%s\n", indent.c_str(), insns(n),
                  n.closed ? "" : " (not returned)");
    st.out += line;
}

// Subtrees rooted at a function of that name (--function).
void find_named(const Node& n, const std::string& name, std::vector<const Node*>& found) {
    if (n.name == name) {
        found.push_back(&n);
        return;
    }
    for (const auto& c : n.children) find_named(*c, name, found);
}

}  // namespace

int trace_show_command(const std::string& path, const TraceReadOptions& opt) {
    Trace t;
    if (!load_trace(path, t)) return kExitBadTrace;
    Symbolizer syms;
    if (!load_trace_symbols(t, opt, syms)) return kExitBadImage;
    const Analysis a = analyze(t, syms);
    ShowState st{opt, {}};
    for (const auto& task : a.tasks) {
        if (!opt.task.empty() && task->name.find(opt.task) == std::string::npos) continue;
        std::vector<const Node*> roots;
        if (!opt.function.empty()) {
            find_named(task->root, opt.function, roots);
            if (roots.empty()) continue;
        } else {
            roots.push_back(&task->root);
        }
        std::string first;
        for (const auto& c : task->root.children)
            if (c->type == Node::Type::Call) {
                first = c->name;
                break;
            }
        const std::string before = std::move(st.out);
        st.out.clear();
        for (const Node* r : roots) {
            if (r->type == Node::Type::Root) print_children(st, *r, 0);
            else print_node(st, *r, 0, 1, insns(*r));
        }
        // A task with nothing to show under the filters is left out.
        const std::string body = std::move(st.out);
        st.out = before;
        if (!body.empty() || !filtering(opt))
            st.out += "== " + task->name + (first.empty() ? "" : " (first call: " + first + ")") + "\n" + body;
    }
    std::fputs(st.out.c_str(), stdout);
    return 0;
}

namespace {

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        default: out.push_back(c);
        }
    }
    return out;
}

// The boot chart, as Linux's bootgraph.pl draws one: a row per phase, a bar
// from its start to the next phase's start, on a linear axis of virtual
// time with a tick every tenth of the boot.
bool write_svg(const std::string& file, const Analysis& a) {
    std::FILE* f = std::fopen(file.c_str(), "w");
    if (!f) return false;
    const double total = a.end_ns ? double(a.end_ns) : 1.0;
    const int label_w = 420, chart_w = 900, row_h = 18, top = 40;
    const int height = top + row_h * int(a.phases.size()) + 30;
    std::fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                    "font-family=\"monospace\" font-size=\"11\">\n", label_w + chart_w + 20, height);
    std::fprintf(f, "<text x=\"10\" y=\"20\" font-size=\"14\">Boot chart: %.6f s of virtual time</text>\n",
                 total / 1e9);
    for (int t = 0; t <= 10; ++t) {
        const double x = label_w + chart_w * t / 10.0;
        std::fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x, top - 5, x,
                     height - 25);
        std::fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.3f s</text>\n", x, height - 10,
                     total * t / 10.0 / 1e9);
    }
    for (size_t k = 0; k < a.phases.size(); ++k) {
        const auto& p = a.phases[k];
        const uint64_t end = k + 1 < a.phases.size() ? a.phases[k + 1].time_ns : a.end_ns;
        const double x = label_w + chart_w * (p.time_ns / total);
        const double w = std::max(1.0, chart_w * ((end - p.time_ns) / total));
        const int y = top + row_h * int(k);
        const char* color = p.name.rfind("initcall", 0) == 0 ? "#7fb3d5" : p.name.find(" > ") != std::string::npos
                                                                              ? "#82e0aa"
                                                                              : "#f5b041";
        std::fprintf(f, "<text x=\"10\" y=\"%d\">%s</text>\n", y + 12, xml_escape(p.name).c_str());
        std::fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                        "<title>%s: %.9f s, %llu instructions</title></rect>\n",
                     x, y + 2, w, row_h - 4, color, xml_escape(p.name).c_str(), (end - p.time_ns) / 1e9,
                     static_cast<unsigned long long>((k + 1 < a.phases.size() ? a.phases[k + 1].icount : a.end_icount) -
                                                     p.icount));
    }
    std::fprintf(f, "</svg>\n");
    return std::fclose(f) == 0;
}

}  // namespace

int trace_phases_command(const std::string& path, const TraceReadOptions& opt) {
    Trace t;
    if (!load_trace(path, t)) return kExitBadTrace;
    Symbolizer syms;
    if (!load_trace_symbols(t, opt, syms)) return kExitBadImage;
    const Analysis a = analyze(t, syms);
    std::printf("%-64s %14s %14s %14s\n", "phase", "start (s)", "instructions", "duration (s)");
    for (size_t k = 0; k < a.phases.size(); ++k) {
        const auto& p = a.phases[k];
        const uint64_t end_i = k + 1 < a.phases.size() ? a.phases[k + 1].icount : a.end_icount;
        const uint64_t end_t = k + 1 < a.phases.size() ? a.phases[k + 1].time_ns : a.end_ns;
        std::printf("%-64s %14.9f %14" PRIu64 " %14.9f\n", p.name.c_str(), p.time_ns / 1e9, end_i - p.icount,
                    (end_t - p.time_ns) / 1e9);
    }
    if (!opt.svg.empty() && !write_svg(opt.svg, a)) {
        spdlog::error("--svg: cannot write '{}'", opt.svg);
        return kExitUsage;
    }
    return 0;
}

}  // namespace bs::frontend
