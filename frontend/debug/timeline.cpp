// The boot timeline and post-mortem panes (see timeline.h).
#include "timeline.h"

#include <imgui.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <optional>

#include "debugger.h"
#include "postmortem.h"

namespace bs::frontend::debug {

using emu::StopReason;
using emu::trace::Event;
using emu::trace::Kind;
using emu::trace::Lane;
using emu::trace::Node;

namespace {

// The stage of the boot a phase belongs to (a coarser lane above phases).
std::string stage_of(const std::string& phase) {
    if (phase == "reset") return "firmware";
    if (phase == "protected mode" || phase == "long mode") return "head: startup_32 -> startup_64";
    if (phase.rfind("initcall", 0) == 0) return "initcalls";
    if (phase == "rest_init > cpu_startup_entry") return "idle loop";
    if (phase.rfind("start_kernel", 0) == 0) return "start_kernel";
    if (phase.rfind("rest_init", 0) == 0 || phase.rfind("kernel_init", 0) == 0) return "rest_init / kernel_init";
    if (phase == "user space") return "user space: /sbin/init";
    if (phase == "stop") return "stopped";
    return phase;
}

// A colour per name, stable from run to run.
ImU32 colour_of(const std::string& name, float value = 0.75f) {
    uint32_t h = 2166136261u;
    for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
    float r, g, b;
    ImGui::ColorConvertHSVtoRGB(static_cast<float>(h % 360) / 360.0f, 0.45f, value, r, g, b);
    return ImGui::GetColorU32(ImVec4(r, g, b, 1.0f));
}

ImU32 event_colour(Kind k) {
    switch (k) {
    case Kind::Interrupt: return IM_COL32(110, 160, 255, 255);
    case Kind::Nmi: return IM_COL32(230, 110, 230, 255);
    case Kind::Exception: return IM_COL32(255, 90, 90, 255);
    case Kind::SoftInt: return IM_COL32(240, 200, 80, 255);
    case Kind::Syscall: return IM_COL32(120, 220, 160, 255);
    case Kind::Console: return IM_COL32(220, 220, 220, 255);
    case Kind::Exec: return IM_COL32(255, 160, 60, 255);
    case Kind::ControlWrite: return IM_COL32(255, 255, 255, 255);
    default: return IM_COL32(180, 180, 180, 255);
    }
}

std::string count_text(double v) {
    if (v >= 1e9) return fmt::format("{:.3g}G", v / 1e9);
    if (v >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
    if (v >= 1e3) return fmt::format("{:.3g}k", v / 1e3);
    return fmt::format("{:.0f}", v);
}

// A bar of the span lanes: from `start` to the next bar's start.
struct Span {
    uint64_t start;
    std::string label;
};

const Node* find_call(const Node& n, const std::string& name, int depth) {
    for (const auto& c : n.children) {
        if (c->type == Node::Type::Call && c->name == name) return c.get();
        if (depth > 0)
            if (const Node* f = find_call(*c, name, depth - 1)) return f;
    }
    return nullptr;
}

}  // namespace

struct Timeline::View {
    double start = 0, span = 1;  // the visible instruction counts: [start, start + span)
    bool follow = true;          // fit the whole recording every frame
    std::optional<uint64_t> pending;  // a go-to clicked in this frame, done at the next
    uint64_t scrub = 0;               // the scrubber's value (the machine's position unless dragged)
    bool scrubbing = false;           // the scrubber is held
    std::string message;              // how the last go-to went
    char bookmark_name[96] = "";
    std::string bookmark_message;
    // The post-mortem of the last stop, computed once.
    bool post_mortem_ready = false;
    std::string post_mortem;
    bool show_post_mortem = true;
};

Timeline::Timeline(Debugger& dbg, const std::string& bookmarks_path)
    : dbg_(dbg), pause_([&dbg] { dbg.pause("timeline"); }), view_(std::make_unique<View>()) {
    trace_ = std::make_unique<emu::trace::LiveTrace>(dbg.sys(), dbg.symbols());
    if (const auto& k = dbg.symbols().kernel)
        if (const auto* fn = k->find("do_execve")) trace_->set_exec_function(fn->addr);
    dbg_.set_trace_tap(trace_.get());
    if (!bookmarks_path.empty() && !bookmarks_.load(bookmarks_path, bookmarks_error_))
        spdlog::error("{}", bookmarks_error_);
}

Timeline::~Timeline() { dbg_.set_trace_tap(nullptr); }

bool Timeline::go_to(uint64_t icount, std::string& why) {
    pause_();
    // Forwards by running, backwards through the checkpoints (Debugger::seek).
    const bool ok = dbg_.seek(icount);
    if (!ok) why = dbg_.status();
    update();
    return ok;
}

void Timeline::update() {
    trace_->sync();
    if (dbg_.state() == Debugger::State::Finished) {
        if (!stop_recorded_) trace_->stopped(dbg_.last_stop());
        stop_recorded_ = true;
    } else {
        stop_recorded_ = false;
        view_->post_mortem_ready = false;
    }
}

std::string Timeline::fault_chain() const {
    if (dbg_.state() != Debugger::State::Finished) return "";
    FaultContext c;
    cpu::Cpu& cpu = dbg_.sys().cpu;
    c.stop = dbg_.last_stop();
    c.state = cpu.s;
    c.mode = cpu.mode();
    c.history = cpu.recent_events();
    c.read_linear = [this](uint64_t lin, void* out, size_t n) {
        return dbg_.read_linear(lin, static_cast<uint8_t*>(out), n);
    };
    c.symbol = [this](uint64_t lin) { return dbg_.symbol_name(lin); };
    const auto& an = trace_->analyzer();
    if (an.last_task() >= 0)
        for (const Node* n : an.open_frames(static_cast<size_t>(an.last_task()))) c.open_calls.push_back(n->name);
    // The last console lines (a panic's message), from COM1's output.
    const std::string& serial = dbg_.serial_output();
    size_t from = serial.size();
    for (int lines = 0; from > 0 && lines < 6;)
        if (serial[--from] == '\n' && from + 1 < serial.size()) ++lines;
    std::string line;
    for (size_t k = from; k < serial.size(); ++k) {
        if (serial[k] == '\n') {
            if (!line.empty()) c.console_tail.push_back(line);
            line.clear();
        } else if (serial[k] != '\r') {
            line.push_back(serial[k]);
        }
    }
    if (!line.empty()) c.console_tail.push_back(line);
    return explain_stop(c);
}

void Timeline::request_go_to(uint64_t icount) { view_->pending = icount; }

Timeline::Range Timeline::scrub_range() const {
    const uint64_t first = dbg_.checkpoints().oldest();
    const uint64_t last = std::max({trace_->frontier(), dbg_.checkpoints().frontier(), dbg_.sys().instructions()});
    return {first, std::max(first, last)};
}

void Timeline::scrub_to(uint64_t icount) {
    pause_();
    const Range r = scrub_range();
    request_go_to(std::clamp(icount, r.first, r.last));
}

bool Timeline::go_to_requested(std::string& why) {
    if (!view_->pending) return true;
    const uint64_t target = *view_->pending;
    view_->pending.reset();
    const bool ok = go_to(target, why);
    view_->message = ok ? fmt::format("at instruction {}", target) : fmt::format("could not go to {}: {}", target, why);
    return ok;
}

void Timeline::draw() {
    // A go-to clicked in the last frame runs now, outside any iteration over the trace.
    std::string why;
    go_to_requested(why);
    update();
    ImGui::SetNextWindowPos(ImVec2(0, 620), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(1060, 380), ImGuiCond_FirstUseEver);
    if (ImGui::Begin("Boot timeline")) {
        if (ImGui::BeginTabBar("timeline tabs")) {
            if (ImGui::BeginTabItem("Lanes")) {
                draw_timeline();
                ImGui::EndTabItem();
            }
            if (ImGui::BeginTabItem("start_kernel call tree")) {
                draw_call_tree();
                ImGui::EndTabItem();
            }
            if (ImGui::BeginTabItem("Bookmarks")) {
                draw_bookmarks();
                ImGui::EndTabItem();
            }
            ImGui::EndTabBar();
        }
    }
    ImGui::End();
    const StopReason r = dbg_.last_stop();
    if (dbg_.state() == Debugger::State::Finished && (r == StopReason::Shutdown || r == StopReason::Halted))
        draw_post_mortem();
}

void Timeline::draw_timeline() {
    View& v = *view_;
    const uint64_t now = dbg_.sys().instructions();
    ImGui::Text("now: instruction %" PRIu64 "   recorded up to %" PRIu64 "   %" PRIu64 " events", now,
                trace_->frontier(), trace_->events());
    ImGui::SameLine();
    if (ImGui::SmallButton("Fit")) v.follow = true;
    ImGui::SameLine();
    ImGui::Checkbox("Follow", &v.follow);
    ImGui::SameLine();
    ImGui::TextDisabled("wheel: zoom, drag: pan, click: go there (back in time too)");
    ImGui::SetNextItemWidth(220);
    ImGui::InputTextWithHint("##bookmark", "bookmark name", v.bookmark_name, sizeof v.bookmark_name);
    ImGui::SameLine();
    if (ImGui::Button("Bookmark here") && bookmarks_.add(now, v.bookmark_name)) {
        std::string err;
        v.bookmark_message = bookmarks_.save(err) ? "saved to " + bookmarks_.path() : err;
        v.bookmark_name[0] = 0;
    }
    ImGui::SameLine();
    ImGui::TextUnformatted(!v.message.empty() ? v.message.c_str() : v.bookmark_message.c_str());
    draw_scrubber();
    draw_lanes();
}

void Timeline::draw_scrubber() {
    View& v = *view_;
    const uint64_t now = dbg_.sys().instructions();
    const Range r = scrub_range();
    // It follows the machine, except while held.
    if (!v.scrubbing) v.scrub = std::clamp(now, r.first, r.last);
    ImGui::SetNextItemWidth(-1);
    ImGui::BeginDisabled(r.last <= r.first);
    ImGui::SliderScalar("##scrub", ImGuiDataType_U64, &v.scrub, &r.first, &r.last, "instruction %llu",
                        ImGuiSliderFlags_AlwaysClamp);
    if (ImGui::IsItemActivated()) {
        // A running machine would move under the slider: it stops first.
        v.scrubbing = true;
        pause_();
    }
    if (ImGui::IsItemDeactivated()) {
        v.scrubbing = false;
        if (v.scrub != dbg_.sys().instructions()) scrub_to(v.scrub);
    }
    if (ImGui::IsItemHovered() && !v.scrubbing)
        ImGui::SetTooltip("the machine's position: drag and release to go there (instructions %" PRIu64 "..%" PRIu64
                          ": the oldest checkpoint to the furthest reached)",
                          r.first, r.last);
    ImGui::EndDisabled();
}

void Timeline::draw_lanes() {
    View& v = *view_;
    const emu::trace::Analysis& an = trace_->analysis();
    const uint64_t now = dbg_.sys().instructions();
    const double total = static_cast<double>(std::max<uint64_t>({trace_->frontier(), now, 1}));
    if (v.follow) {
        v.start = 0;
        v.span = total * 1.02;
    }

    constexpr float kLabelW = 120, kLaneH = 20, kAxisH = 18;
    const char* kLanes[] = {"stage", "phase", "mode / CRs", "irq / exc", "syscalls", "task", "console", "bookmarks"};
    constexpr int kLaneCount = 8;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    const float width = std::max(200.0f, ImGui::GetContentRegionAvail().x);
    const float height = kAxisH + kLaneH * kLaneCount;
    ImGui::InvisibleButton("lanes", ImVec2(width, height));
    const bool hovered = ImGui::IsItemHovered();
    const float x0 = p0.x + kLabelW, x1 = p0.x + width;
    const float plot_w = x1 - x0;
    auto x_of = [&](double icount) { return x0 + static_cast<float>((icount - v.start) / v.span * plot_w); };
    auto at_x = [&](float x) { return v.start + (x - x0) / plot_w * v.span; };
    const ImVec2 mouse = ImGui::GetIO().MousePos;

    // Zoom about the mouse, pan by dragging.
    if (hovered && ImGui::GetIO().MouseWheel != 0 && mouse.x > x0) {
        const double anchor = at_x(mouse.x);
        const double factor = std::pow(0.8, ImGui::GetIO().MouseWheel);
        v.span = std::clamp(v.span * factor, 20.0, total * 4);
        v.start = anchor - (mouse.x - x0) / plot_w * v.span;
        v.follow = false;
    }
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
        v.start -= ImGui::GetIO().MouseDelta.x / plot_w * v.span;
        v.follow = false;
    }
    const bool clicked = hovered && ImGui::IsMouseReleased(ImGuiMouseButton_Left) &&
                         std::abs(ImGui::GetMouseDragDelta(ImGuiMouseButton_Left).x) < 3;
    const double view_end = v.start + v.span;

    // Labels and backgrounds.
    for (int k = 0; k < kLaneCount; ++k) {
        const float y = p0.y + kAxisH + kLaneH * k;
        dl->AddRectFilled(ImVec2(p0.x, y), ImVec2(x1, y + kLaneH - 1),
                          k % 2 ? IM_COL32(40, 40, 46, 255) : IM_COL32(48, 48, 56, 255));
        dl->AddText(ImVec2(p0.x + 4, y + 3), IM_COL32(200, 200, 200, 255), kLanes[k]);
    }
    dl->PushClipRect(ImVec2(x0, p0.y), ImVec2(x1, p0.y + height), true);

    // The axis: a tick at a round number of instructions, about 8 across.
    const double raw = v.span / 8;
    const double mag = std::pow(10.0, std::floor(std::log10(std::max(raw, 1.0))));
    const double step = raw / mag < 2 ? mag * 2 : raw / mag < 5 ? mag * 5 : mag * 10;
    for (double t = std::max(0.0, std::ceil(v.start / step) * step); t < view_end; t += step) {
        const float x = x_of(t);
        dl->AddLine(ImVec2(x, p0.y + kAxisH - 4), ImVec2(x, p0.y + height), IM_COL32(80, 80, 90, 255));
        dl->AddText(ImVec2(x + 2, p0.y), IM_COL32(170, 170, 170, 255), count_text(t).c_str());
    }

    std::string tip;          // the hovered thing
    std::optional<uint64_t> target;  // where a click goes

    // Span lanes: a bar per span, named when there is room.
    auto spans = [&](int lane, const std::vector<Span>& list, uint64_t end) {
        const float y = p0.y + kAxisH + kLaneH * lane;
        for (size_t k = 0; k < list.size(); ++k) {
            const uint64_t s = list[k].start, e = k + 1 < list.size() ? list[k + 1].start : end;
            if (e < v.start || static_cast<double>(s) > view_end) continue;
            const float a = std::max(x_of(static_cast<double>(s)), x0 - 1),
                        b = std::min(std::max(x_of(static_cast<double>(e)), a + 1), x1 + 1);
            dl->AddRectFilled(ImVec2(a, y + 2), ImVec2(b, y + kLaneH - 3), colour_of(list[k].label));
            const ImVec2 ts = ImGui::CalcTextSize(list[k].label.c_str());
            if (b - a > ts.x + 6)
                dl->AddText(ImVec2(a + 3, y + 3), IM_COL32(20, 20, 20, 255), list[k].label.c_str());
            if (hovered && mouse.y >= y && mouse.y < y + kLaneH && mouse.x >= a && mouse.x < b) {
                tip = fmt::format("{}\nfrom instruction {} for {} instructions", list[k].label, s, e - s);
                target = s;
            }
        }
    };
    // Tick lanes: a line per event, at most one per pixel column.
    auto ticks = [&](int lane, const std::vector<Event>& list, auto&& describe) {
        const float y = p0.y + kAxisH + kLaneH * lane;
        auto first_at = [&](size_t from, double icount) {
            return static_cast<size_t>(std::lower_bound(list.begin() + static_cast<std::ptrdiff_t>(from), list.end(),
                                                        icount, [](const Event& e, double i) { return double(e.r.icount) < i; }) -
                                       list.begin());
        };
        for (size_t k = first_at(0, v.start); k < list.size() && double(list[k].r.icount) <= view_end;) {
            const float x = x_of(double(list[k].r.icount));
            dl->AddLine(ImVec2(x, y + 2), ImVec2(x, y + kLaneH - 3), event_colour(list[k].f.kind), 2.0f);
            k = std::max(k + 1, first_at(k, at_x(std::floor(x) + 1.0f)));
        }
        if (!hovered || mouse.y < y || mouse.y >= y + kLaneH) return;
        size_t best = list.size();
        float best_d = 4;
        for (size_t k = first_at(0, at_x(mouse.x - 4)); k < list.size() && double(list[k].r.icount) <= at_x(mouse.x + 4); ++k) {
            const float d = std::abs(x_of(double(list[k].r.icount)) - mouse.x);
            if (d < best_d) best_d = d, best = k;
        }
        if (best < list.size()) {
            tip = fmt::format("instruction {}, {:.6f} s\n{}", list[best].r.icount, list[best].r.time_ns / 1e9,
                              describe(list[best]));
            target = list[best].r.icount;
        }
    };
    auto describe = [&](const Event& e) {
        return emu::trace::describe(e, trace_->symbols(), trace_->program_of(e.f.cr3));
    };
    const uint64_t end = std::max(trace_->frontier(), now);

    // Stages: the firmware, the kernel's setup code from its first event,
    // the 32-bit head from the setup code's switch to protected mode, then
    // the stages of the phases. (The firmware switches modes too, to copy
    // the kernel above 1 MiB: the analysis' first "protected mode" is its.)
    const uint64_t setup = trace_->setup_entry();
    std::vector<Span> stages{{0, "firmware"}}, phases;
    uint64_t kernel_stages_from = 0;
    if (setup != UINT64_MAX) {
        stages.push_back({setup, "setup (real mode)"});
        kernel_stages_from = UINT64_MAX;
        for (const Event& e : trace_->lane(Lane::Mode)) {
            if (e.f.kind == Kind::ModeChange && e.r.icount > setup) {
                stages.push_back({e.r.icount, "head: startup_32 -> startup_64"});
                kernel_stages_from = e.r.icount;
                break;
            }
        }
    }
    for (const auto& p : an.phases) {
        phases.push_back({p.icount, p.name});
        const std::string st = stage_of(p.name);
        if (p.icount >= kernel_stages_from && p.icount >= stages.back().start && st != stages.back().label &&
            (setup == UINT64_MAX || (p.name != "protected mode" && p.name != "long mode")))
            stages.push_back({p.icount, st});
    }
    spans(0, stages, end);
    spans(1, phases, end);

    // CPU modes, with control register writes as ticks.
    std::vector<Span> modes;
    std::vector<Event> control;
    for (const Event& e : trace_->lane(Lane::Mode)) {
        if (e.f.kind == Kind::ControlWrite) {
            control.push_back(e);
            continue;
        }
        if (modes.empty()) modes.push_back({0, cpu::to_string(cpu::CpuMode(e.f.aux >> 8))});
        modes.push_back({e.r.icount, cpu::to_string(cpu::CpuMode(e.f.aux & 0xff))});
    }
    if (modes.empty()) modes.push_back({0, cpu::to_string(dbg_.sys().cpu.mode())});
    spans(2, modes, end);
    {
        // Drawn over the modes: hover finds a tick before its span.
        std::string span_tip = std::move(tip);
        const auto span_target = target;
        tip.clear();
        target.reset();
        ticks(2, control, describe);
        if (tip.empty()) tip = std::move(span_tip), target = span_target;
    }
    ticks(3, trace_->lane(Lane::Interrupt), describe);
    ticks(4, trace_->lane(Lane::Syscall), describe);

    // Tasks: who runs, and the programs exec'd.
    std::vector<Span> tasks;
    for (const auto& s : trace_->task_switches()) {
        const emu::trace::Task& t = *an.tasks[static_cast<size_t>(s.task)];
        std::string first;
        for (const auto& c : t.root.children)
            if (c->type == Node::Type::Call) {
                first = c->name;
                break;
            }
        tasks.push_back({s.icount, first.empty() ? t.name : first + " [" + t.name + "]"});
    }
    spans(5, tasks, end);
    ticks(5, trace_->lane(Lane::Task), describe);
    ticks(6, trace_->lane(Lane::Console), describe);

    // Bookmarks.
    {
        const float y = p0.y + kAxisH + kLaneH * 7;
        for (const Bookmark& b : bookmarks_.list()) {
            const float x = x_of(double(b.icount));
            if (x < x0 - 200 || x > x1) continue;
            dl->AddTriangleFilled(ImVec2(x - 5, y + 2), ImVec2(x + 5, y + 2), ImVec2(x, y + 10), IM_COL32(255, 200, 60, 255));
            dl->AddText(ImVec2(x + 6, y + 3), IM_COL32(255, 220, 120, 255), b.name.c_str());
            if (hovered && mouse.y >= y && mouse.y < y + kLaneH && std::abs(mouse.x - x) < 6) {
                tip = fmt::format("bookmark '{}' at instruction {}", b.name, b.icount);
                target = b.icount;
            }
        }
    }

    // The furthest point recorded, and the machine's position.
    const float fx = x_of(double(trace_->frontier())), nx = x_of(double(now));
    dl->AddLine(ImVec2(fx, p0.y), ImVec2(fx, p0.y + height), IM_COL32(140, 140, 140, 200));
    dl->AddLine(ImVec2(nx, p0.y), ImVec2(nx, p0.y + height), IM_COL32(255, 230, 0, 255), 2.0f);
    dl->PopClipRect();

    if (hovered && !tip.empty()) {
        ImGui::BeginTooltip();
        ImGui::TextUnformatted(tip.c_str());
        ImGui::TextDisabled("click: go there");
        ImGui::EndTooltip();
    }
    // On an event: to it; between events: to the instruction under the mouse.
    if (clicked && target) request_go_to(*target);
    else if (clicked && mouse.x >= x0) scrub_to(static_cast<uint64_t>(std::max(0.0, std::round(at_x(mouse.x)))));
    if (trace_->lane_dropped(Lane::Interrupt) || trace_->lane_dropped(Lane::Console) || trace_->lane_dropped(Lane::Mode))
        ImGui::TextDisabled("some lanes are full: later events are counted, not kept");
}

namespace {

struct TreeDraw {
    uint64_t now;
    std::optional<uint64_t> target;

    void children(const Node& n) {
        constexpr size_t kShown = 400;
        const size_t count = std::min(n.children.size(), kShown);
        for (size_t k = 0; k < count; ++k) node(*n.children[k]);
        if (n.children.size() > kShown) ImGui::TextDisabled("... %zu more", n.children.size() - kShown);
        if (n.dropped) ImGui::TextDisabled("(%" PRIu64 " more calls not kept: the live tree is bounded)", n.dropped);
    }
    void node(const Node& n) {
        const uint64_t insns = n.closed ? n.end_icount - n.start_icount + n.folded_insns : now - n.start_icount;
        std::string label = n.name + (n.type == Node::Type::Call ? "()" : "");
        label += fmt::format("   {} insns", insns);
        if (n.repeats > 1) label += fmt::format("  x {}", n.repeats);
        if (!n.closed) label += "  (running)";
        const bool leaf = n.children.empty() && !n.dropped;
        ImGuiTreeNodeFlags flags = ImGuiTreeNodeFlags_SpanAvailWidth;
        if (leaf) flags |= ImGuiTreeNodeFlags_Leaf | ImGuiTreeNodeFlags_NoTreePushOnOpen;
        if (n.name == "start_kernel") flags |= ImGuiTreeNodeFlags_DefaultOpen;
        if (!n.closed) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.4f, 1.0f, 0.4f, 1.0f));
        const bool open = ImGui::TreeNodeEx(&n, flags, "%s", label.c_str());
        if (!n.closed) ImGui::PopStyleColor();
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("from instruction %" PRIu64 "%s\nright-click: go there", n.start_icount,
                              n.repeats > 1 ? " (the first of the folded calls)" : "");
        if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) target = n.start_icount;
        if (open && !leaf) {
            children(n);
            ImGui::TreePop();
        }
    }
};

}  // namespace

void Timeline::draw_call_tree() {
    const emu::trace::Analysis& an = trace_->analysis();
    const Node* sk = nullptr;
    for (const auto& t : an.tasks)
        if ((sk = find_call(t->root, "start_kernel", 3))) break;
    if (!sk) {
        ImGui::TextDisabled("start_kernel has not been called yet");
        return;
    }
    ImGui::TextDisabled("%zu nodes kept (identical leaf calls folded); green: still running", trace_->analyzer().nodes());
    ImGui::BeginChild("tree");
    // Frames still open run to the furthest point recorded (or the machine's, when further).
    TreeDraw d{std::max(dbg_.sys().instructions(), trace_->frontier()), std::nullopt};
    d.node(*sk);
    ImGui::EndChild();
    if (d.target) request_go_to(*d.target);
}

void Timeline::draw_bookmarks() {
    View& v = *view_;
    ImGui::Text("file: %s", bookmarks_.path().empty() ? "(none)" : bookmarks_.path().c_str());
    if (!bookmarks_error_.empty()) ImGui::TextColored(ImVec4(1, 0.35f, 0.35f, 1), "%s", bookmarks_error_.c_str());
    if (!v.bookmark_message.empty()) ImGui::TextUnformatted(v.bookmark_message.c_str());
    std::optional<size_t> remove;
    for (size_t k = 0; k < bookmarks_.list().size(); ++k) {
        const Bookmark& b = bookmarks_.list()[k];
        ImGui::PushID(static_cast<int>(k));
        if (ImGui::SmallButton("go")) request_go_to(b.icount);
        ImGui::SameLine();
        if (ImGui::SmallButton("delete")) remove = k;
        ImGui::SameLine();
        ImGui::Text("%14" PRIu64 "  %s", b.icount, b.name.c_str());
        ImGui::PopID();
    }
    if (remove) {
        bookmarks_.remove(*remove);
        std::string err;
        v.bookmark_message = bookmarks_.save(err) ? "saved to " + bookmarks_.path() : err;
    }
    if (bookmarks_.list().empty()) ImGui::TextDisabled("no bookmarks: name one on the Lanes tab");
}

void Timeline::draw_post_mortem() {
    View& v = *view_;
    if (!v.post_mortem_ready) {
        v.post_mortem = fault_chain();
        v.post_mortem_ready = true;
        v.show_post_mortem = true;
    }
    if (!v.show_post_mortem) return;
    ImGui::SetNextWindowPos(ImVec2(200, 120), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(900, 560), ImGuiCond_FirstUseEver);
    if (ImGui::Begin("Post-mortem", &v.show_post_mortem)) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.6f, 0.5f, 1.0f));
        ImGui::TextWrapped("%s", v.post_mortem.c_str());
        ImGui::PopStyleColor();
        ImGui::Separator();
        const auto& ring = trace_->recent();
        constexpr size_t kShown = 200;
        const size_t first = ring.size() > kShown ? ring.size() - kShown : 0;
        ImGui::Text("The last %zu events (newest last):", ring.size() - first);
        ImGui::BeginChild("recent");
        for (size_t k = first; k < ring.size(); ++k) {
            const Event& e = ring[k];
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(event_colour(e.f.kind)), "%12" PRIu64 "  cpl%u  %s",
                               e.r.icount, e.f.cpl,
                               emu::trace::describe(e, trace_->symbols(), trace_->program_of(e.f.cr3)).c_str());
        }
        if (ImGui::IsWindowAppearing()) ImGui::SetScrollHereY(1.0f);
        ImGui::EndChild();
    }
    ImGui::End();
}

}  // namespace bs::frontend::debug
