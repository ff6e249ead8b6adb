// `bootscope trace diff A B`: what changed in the boot between two traces.
//
// The report, in order:
//   1. the images (when their hashes differ);
//   2. the first divergence: every call, interrupt, exception and system
//      call of both boots in the order they began; the first one that differs
//      (in kind or name), with its call path on each side;
//   3. the calls added, removed and reordered in the ordered call lists of
//      start_kernel, rest_init and kernel_init and in the initcall sequence
//      (a longest-common-subsequence diff of the names; a name removed at
//      one place and added at another is marked "moved");
//   4. per-phase instruction and duration deltas, each marked when it is
//      beyond both thresholds (share and absolute), and the phases found on
//      one side only.
// The traces differ (kExitTraceDiff) when 3 or 4 found anything; a divergence
// alone (2) is reported but, with the lists and phases equal within the
// thresholds, is not a failure: interrupts landing elsewhere move calls.
#include "trace_diff.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <string_view>

#include "emu/trace/analysis.h"
#include "exit_status.h"
#include "trace_cmds.h"

namespace bs::frontend {

using namespace bs::emu::trace;

namespace {

// One frame of either boot, in the order frames began.
struct Flat {
    const Node* node;
    int parent;   // index in the flat list, -1 at a task's top
    size_t task;  // index in Analysis::tasks
};

void flatten_node(const Node& n, int parent, size_t task, std::vector<Flat>& out) {
    out.push_back({&n, parent, task});
    const int self = static_cast<int>(out.size() - 1);
    for (const auto& c : n.children) flatten_node(*c, self, task, out);
}

std::vector<Flat> flatten(const Analysis& a) {
    std::vector<Flat> out;
    for (size_t t = 0; t < a.tasks.size(); ++t)
        for (const auto& c : a.tasks[t]->root.children) flatten_node(*c, -1, t, out);
    // Tasks interleave: order all frames by when they began (a parent before
    // its children, which begin at or after it: the sort is stable). Parent
    // indices are remapped after the sort.
    std::vector<size_t> order(out.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t x, size_t y) { return out[x].node->start_icount < out[y].node->start_icount; });
    std::vector<int> where(out.size());
    for (size_t k = 0; k < order.size(); ++k) where[order[k]] = static_cast<int>(k);
    std::vector<Flat> sorted;
    sorted.reserve(out.size());
    for (size_t k : order) {
        Flat f = out[k];
        if (f.parent >= 0) f.parent = where[static_cast<size_t>(f.parent)];
        sorted.push_back(f);
    }
    return sorted;
}

std::string label(const Node& n) { return n.type == Node::Type::Call ? n.name + "()" : n.name; }

std::string call_path(const std::vector<Flat>& flat, size_t k) {
    std::vector<std::string> names;
    for (int i = static_cast<int>(k); i >= 0; i = flat[static_cast<size_t>(i)].parent)
        names.push_back(label(*flat[static_cast<size_t>(i)].node));
    std::string s;
    for (size_t i = names.size(); i-- > 0;) s += names[i] + (i ? " > " : "");
    return s;
}

// The first call of this function in any task, depth-first.
const Node* find_call(const Node& n, const std::string& name) {
    if (n.type == Node::Type::Call && n.name == name) return &n;
    for (const auto& c : n.children)
        if (const Node* f = find_call(*c, name)) return f;
    return nullptr;
}

std::vector<std::string> child_calls(const Analysis& a, const std::string& function) {
    std::vector<std::string> out;
    for (const auto& t : a.tasks) {
        if (const Node* n = find_call(t->root, function)) {
            for (const auto& c : n->children)
                if (c->type == Node::Type::Call) out.push_back(c->name);
            break;
        }
    }
    return out;
}

std::vector<std::string> initcalls(const Analysis& a) {
    std::vector<std::string> out;
    constexpr std::string_view kPrefix = "initcall ";
    for (const auto& p : a.phases)
        if (std::string_view(p.name).substr(0, kPrefix.size()) == kPrefix) out.push_back(p.name.substr(kPrefix.size()));
    return out;
}

// An edit script from a to b: ' ' kept, '-' only in a, '+' only in b.
struct Edit {
    char op;
    std::string name;
};

std::vector<Edit> lcs_diff(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    const size_t n = a.size(), m = b.size();
    // len[i][j]: the LCS of a[i..] and b[j..]. The lists are a function's
    // direct calls: tens to a few thousand names.
    std::vector<uint32_t> len((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return len[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;) at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    std::vector<Edit> out;
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            out.push_back({' ', a[i++]});
            ++j;
        } else if (j == m || (i < n && at(i + 1, j) >= at(i, j + 1))) {
            out.push_back({'-', a[i++]});
        } else {
            out.push_back({'+', b[j++]});
        }
    }
    return out;
}

// Prints the changed parts of a list diff with two lines of context; returns
// whether anything changed.
bool print_list_diff(const std::string& title, const std::vector<std::string>& a, const std::vector<std::string>& b) {
    if (a.size() * b.size() > 50'000'000) {
        const bool same = a == b;
        std::printf("%s: %s (%zu vs %zu calls, too long to diff)\n", title.c_str(), same ? "same" : "differs", a.size(),
                    b.size());
        return !same;
    }
    const std::vector<Edit> d = lcs_diff(a, b);
    std::multiset<std::string> removed, added;
    for (const Edit& e : d) {
        if (e.op == '-') removed.insert(e.name);
        if (e.op == '+') added.insert(e.name);
    }
    if (removed.empty() && added.empty()) return false;
    size_t moved = 0;
    for (const std::string& s : std::set<std::string>(removed.begin(), removed.end())) moved += std::min(removed.count(s), added.count(s));
    std::printf("%s: %zu added, %zu removed, %zu reordered (of %zu -> %zu calls)\n", title.c_str(),
                added.size() - moved, removed.size() - moved, moved, a.size(), b.size());
    constexpr size_t kContext = 2;
    std::vector<bool> show(d.size(), false);
    for (size_t k = 0; k < d.size(); ++k) {
        if (d[k].op == ' ') continue;
        for (size_t c = k >= kContext ? k - kContext : 0; c <= std::min(d.size() - 1, k + kContext); ++c) show[c] = true;
    }
    bool gap = false;
    for (size_t k = 0; k < d.size(); ++k) {
        if (!show[k]) {
            gap = true;
            continue;
        }
        if (gap && k) std::printf("    ...\n");
        gap = false;
        const bool is_move = d[k].op != ' ' && removed.count(d[k].name) && added.count(d[k].name);
        std::printf("  %c %s%s\n", d[k].op, d[k].name.c_str(), is_move ? "   (moved)" : "");
    }
    return true;
}

struct PhaseStat {
    uint64_t insns = 0, ns = 0, start_ns = 0;
};

std::vector<std::pair<std::string, PhaseStat>> phase_stats(const Analysis& a) {
    std::vector<std::pair<std::string, PhaseStat>> out;
    for (size_t k = 0; k < a.phases.size(); ++k) {
        const auto& p = a.phases[k];
        const uint64_t end_i = k + 1 < a.phases.size() ? a.phases[k + 1].icount : a.end_icount;
        const uint64_t end_t = k + 1 < a.phases.size() ? a.phases[k + 1].time_ns : a.end_ns;
        out.push_back({p.name, {end_i - p.icount, end_t - p.time_ns, p.time_ns}});
    }
    return out;
}

// The change from a to b as a signed percentage of a ("+12.5%", "new").
std::string percent(uint64_t a, uint64_t b) {
    if (a == b) return "0%";
    if (a == 0) return "new";
    char s[32];
    std::snprintf(s, sizeof s, "%+.1f%%", (static_cast<double>(b) - static_cast<double>(a)) * 100.0 / static_cast<double>(a));
    return s;
}

bool beyond(uint64_t a, uint64_t b, double pct, uint64_t absolute) {
    const uint64_t delta = a > b ? a - b : b - a;
    if (delta <= absolute) return false;
    if (a == 0) return true;
    return static_cast<double>(delta) * 100.0 / static_cast<double>(a) > pct;
}

std::string signed_delta(uint64_t a, uint64_t b) {
    char s[32];
    std::snprintf(s, sizeof s, "%c%" PRIu64, b >= a ? '+' : '-', b >= a ? b - a : a - b);
    return s;
}

std::string seconds(uint64_t ns) {
    char s[32];
    std::snprintf(s, sizeof s, "%.9f", static_cast<double>(ns) / 1e9);
    return s;
}

}  // namespace

int trace_diff_command(const std::string& path_a, const std::string& path_b, const TraceDiffOptions& opt) {
    Trace ta, tb;
    if (!load_trace(path_a, ta) || !load_trace(path_b, tb)) return kExitBadTrace;
    Symbolizer sa, sb;
    const TraceReadOptions symbols;  // each trace's own images
    if (!load_trace_symbols(ta, symbols, sa) || !load_trace_symbols(tb, symbols, sb)) return kExitBadImage;
    const Analysis a = analyze(ta, sa), b = analyze(tb, sb);
    std::printf("--- A %s\n+++ B %s\n", path_a.c_str(), path_b.c_str());
    for (const char* key : {"firmware", "kernel", "initrd", "append", "memory"}) {
        const std::string va = ta.header_value(key), vb = tb.header_value(key);
        if (va != vb) std::printf("%s:\n  A %s\n  B %s\n", key, va.c_str(), vb.c_str());
    }
    bool differ = false;

    // The first divergence.
    const std::vector<Flat> fa = flatten(a), fb = flatten(b);
    size_t k = 0;
    while (k < fa.size() && k < fb.size() && fa[k].node->type == fb[k].node->type && fa[k].node->name == fb[k].node->name)
        ++k;
    std::printf("\n== first divergence\n");
    if (k == fa.size() && k == fb.size()) {
        std::printf("none: the same %zu calls, interrupts, exceptions and system calls in the same order\n", fa.size());
    } else {
        std::printf("at frame #%zu of %zu (A) / %zu (B)\n", k, fa.size(), fb.size());
        auto side = [&](const char* which, const Analysis& an, const std::vector<Flat>& f) {
            if (k >= f.size()) {
                std::printf("  %s: (no more frames)\n", which);
                return;
            }
            const Node& n = *f[k].node;
            std::printf("  %s: %s\n     at instruction %" PRIu64 ", %s s, %s\n     path: %s\n", which, label(n).c_str(),
                        n.start_icount, seconds(n.start_ns).c_str(), an.tasks[f[k].task]->name.c_str(),
                        call_path(f, k).c_str());
        };
        side("A", a, fa);
        side("B", b, fb);
    }

    // Calls added, removed and reordered.
    std::printf("\n== calls by phase\n");
    bool lists = false;
    for (const char* fn : {"start_kernel", "rest_init", "kernel_init"})
        lists |= print_list_diff(std::string(fn) + "()", child_calls(a, fn), child_calls(b, fn));
    lists |= print_list_diff("initcalls", initcalls(a), initcalls(b));
    if (!lists) std::printf("the same calls of start_kernel, rest_init and kernel_init, the same initcalls\n");
    differ |= lists;

    // Phases.
    const auto pa = phase_stats(a), pb = phase_stats(b);
    std::printf("\n== phases (a change counts beyond %.4g%% and %" PRIu64 " instructions or %" PRIu64 " ns)\n",
                opt.threshold_pct, opt.threshold_insns, opt.threshold_ns);
    size_t unchanged = 0, over = 0;
    bool header = false;
    auto row = [&](const std::string& name, const PhaseStat* x, const PhaseStat* y) {
        if (x && y && x->insns == y->insns && x->ns == y->ns) {
            ++unchanged;
            return;
        }
        if (!header) {
            std::printf("%-56s %12s %12s %12s %8s %16s %8s\n", "phase", "insns A", "insns B", "delta", "",
                        "time delta (ns)", "");
            header = true;
        }
        if (!x || !y) {
            std::printf("%-56s %s\n", name.c_str(), x ? "only in A" : "only in B");
            ++over;
            return;
        }
        const bool bad = beyond(x->insns, y->insns, opt.threshold_pct, opt.threshold_insns) ||
                         beyond(x->ns, y->ns, opt.threshold_pct, opt.threshold_ns);
        over += bad;
        std::printf("%-56s %12" PRIu64 " %12" PRIu64 " %12s %8s %16s %8s%s\n", name.c_str(), x->insns, y->insns,
                    signed_delta(x->insns, y->insns).c_str(), percent(x->insns, y->insns).c_str(),
                    signed_delta(x->ns, y->ns).c_str(), percent(x->ns, y->ns).c_str(), bad ? "  !" : "");
    };
    for (const auto& [name, s] : pa) {
        const auto it = std::find_if(pb.begin(), pb.end(), [&](const auto& p) { return p.first == name; });
        row(name, &s, it != pb.end() ? &it->second : nullptr);
    }
    for (const auto& [name, s] : pb) {
        const bool in_a = std::any_of(pa.begin(), pa.end(), [&](const auto& p) { return p.first == name; });
        if (!in_a) row(name, nullptr, &s);
    }
    const PhaseStat total_a{a.end_icount, a.end_ns, 0}, total_b{b.end_icount, b.end_ns, 0};
    row("(whole boot)", &total_a, &total_b);
    std::printf("%zu unchanged, %zu beyond the thresholds (!)\n", unchanged, over);
    differ |= over > 0;

    std::printf("\n%s\n", differ ? "the traces differ" : "the traces match within the thresholds");
    return differ ? kExitTraceDiff : 0;
}

}  // namespace bs::frontend
