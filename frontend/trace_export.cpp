// `bootscope trace export`: a recorded boot as Chrome Trace Event JSON (for
// Perfetto's UI and chrome://tracing) or as JSON lines (one raw event a line).
//
// Chrome's "JSON Object Format" (the Trace Event Format document, Google):
//   {"traceEvents": [...], "displayTimeUnit": "ns", "otherData": {...}}
// with one process, "Bootscope guest", and these threads (lanes):
//   tid 1..N   the tasks, in order of first appearance (analysis.h): one
//              complete event ("ph":"X") per call, interrupt, exception and
//              system call, nested as the call tree nests
//   N+1        "phases": one complete event per boot phase
//   N+2        "interrupts": an instant event ("ph":"i") per external
//              interrupt and NMI, named by vector
//   N+3        "mode": an instant event per CPU mode change
//   N+4        "console": an instant event per COM1 line
// Timestamps are the virtual time in microseconds, written with exactly three
// decimals (the trace's nanoseconds), and the events are written in a fixed
// order (metadata, phases, each task's tree depth-first, then the instant
// lanes in trace order), so an export is as deterministic as the trace.
#include "trace_export.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "cpu/trace.h"
#include "emu/system.h"
#include "emu/trace/json.h"
#include "exit_status.h"

namespace bs::frontend {

using namespace bs::emu::trace;

namespace {

constexpr int kPid = 1;

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

// The common fields of a Chrome trace event, up to and including "ts".
void begin_event(std::string& out, bool& first, const std::string& name, const char* cat, const char* ph, uint64_t tid,
                 uint64_t ts_ns) {
    out += first ? "\n" : ",\n";
    first = false;
    out += '{';
    json::key(out, "name", true);
    json::string(out, name);
    json::key(out, "cat");
    json::string(out, cat);
    json::key(out, "ph");
    json::string(out, ph);
    json::key(out, "pid");
    json::uint(out, kPid);
    json::key(out, "tid");
    json::uint(out, tid);
    json::key(out, "ts");
    json::thousandths(out, ts_ns);
}

void metadata(std::string& out, bool& first, const char* what, uint64_t tid, const std::string& value,
              const char* arg = "name") {
    begin_event(out, first, what, "__metadata", "M", tid, 0);
    json::key(out, "args");
    out += '{';
    json::key(out, arg, true);
    if (std::string(arg) == "name") json::string(out, value);
    else out += value;
    out += "}}";
}

const char* node_category(Node::Type t) {
    switch (t) {
    case Node::Type::Call: return "call";
    case Node::Type::Interrupt: return "interrupt";
    case Node::Type::Exception: return "exception";
    case Node::Type::SoftInt: return "softint";
    case Node::Type::Syscall: return "syscall";
    case Node::Type::Root: break;
    }
    return "root";
}

void write_node(std::string& out, bool& first, const Node& n, uint64_t tid) {
    begin_event(out, first, n.name, node_category(n.type), "X", tid, n.start_ns);
    json::key(out, "dur");
    json::thousandths(out, n.end_ns - n.start_ns);
    json::key(out, "args");
    out += '{';
    json::key(out, "insns", true);
    json::uint(out, n.end_icount - n.start_icount);
    if (!n.closed) {
        json::key(out, "returned");
        out += "false";
    }
    out += "}}";
    for (const auto& c : n.children) write_node(out, first, *c, tid);
}

// The header's "key: value" lines as a JSON object's members.
void header_members(std::string& out, const Trace& t, bool first) {
    size_t pos = 0;
    while (pos < t.header.size()) {
        size_t end = t.header.find('\n', pos);
        if (end == std::string::npos) end = t.header.size();
        const std::string line = t.header.substr(pos, end - pos);
        pos = end + 1;
        const size_t colon = line.find(": ");
        if (colon == std::string::npos) continue;
        json::key(out, line.substr(0, colon), first);
        json::string(out, line.substr(colon + 2));
        first = false;
    }
}

std::string chrome(const Trace& t, const Analysis& a) {
    std::string out = "{\"traceEvents\":[";
    bool first = true;
    const uint64_t n_tasks = a.tasks.size();
    const uint64_t tid_phases = n_tasks + 1, tid_irq = n_tasks + 2, tid_mode = n_tasks + 3, tid_console = n_tasks + 4;

    metadata(out, first, "process_name", 0, "Bootscope guest");
    // Lanes: phases on top, then the tasks, then the instant lanes.
    const std::pair<uint64_t, const char*> lanes[] = {
        {tid_phases, "phases"}, {tid_irq, "interrupts"}, {tid_mode, "mode"}, {tid_console, "console"}};
    for (uint64_t k = 0; k < n_tasks; ++k) {
        metadata(out, first, "thread_name", k + 1, a.tasks[k]->name);
        metadata(out, first, "thread_sort_index", k + 1, std::to_string(k + 1), "sort_index");
    }
    for (const auto& [tid, name] : lanes) {
        metadata(out, first, "thread_name", tid, name);
        metadata(out, first, "thread_sort_index", tid, tid == tid_phases ? "0" : std::to_string(tid), "sort_index");
    }

    for (size_t k = 0; k < a.phases.size(); ++k) {
        const auto& p = a.phases[k];
        const uint64_t end_i = k + 1 < a.phases.size() ? a.phases[k + 1].icount : a.end_icount;
        const uint64_t end_t = k + 1 < a.phases.size() ? a.phases[k + 1].time_ns : a.end_ns;
        begin_event(out, first, p.name, "phase", "X", tid_phases, p.time_ns);
        json::key(out, "dur");
        json::thousandths(out, end_t - p.time_ns);
        json::key(out, "args");
        out += '{';
        json::key(out, "insns", true);
        json::uint(out, end_i - p.icount);
        out += "}}";
    }
    for (uint64_t k = 0; k < n_tasks; ++k)
        for (const auto& c : a.tasks[k]->root.children) write_node(out, first, *c, k + 1);

    auto instant = [&](const std::string& name, const char* cat, uint64_t tid, const Event& e) {
        begin_event(out, first, name, cat, "i", tid, e.r.time_ns);
        json::key(out, "s");
        json::string(out, "t");
        json::key(out, "args");
        out += '{';
        json::key(out, "icount", true);
        json::uint(out, e.r.icount);
    };
    for (const Event& e : t.events) {
        switch (e.f.kind) {
        case Kind::Interrupt:
        case Kind::Nmi:
            instant(e.f.kind == Kind::Nmi ? "NMI" : "irq " + hex(e.f.aux), "interrupt", tid_irq, e);
            json::key(out, "vector");
            json::uint(out, e.f.aux);
            out += "}}";
            break;
        case Kind::ModeChange: {
            const char* from = bs::cpu::to_string(bs::cpu::CpuMode(e.f.aux >> 8));
            const char* to = bs::cpu::to_string(bs::cpu::CpuMode(e.f.aux & 0xff));
            instant(to, "mode", tid_mode, e);
            json::key(out, "from");
            json::string(out, from);
            json::key(out, "to");
            json::string(out, to);
            out += "}}";
            break;
        }
        case Kind::Console:
            instant(e.text, "console", tid_console, e);
            out += "}}";
            break;
        default: break;
        }
    }
    out += "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{";
    header_members(out, t, true);
    out += "}}\n";
    return out;
}

const char* control_register(unsigned aux) {
    switch (aux) {
    case 0: return "cr0";
    case 3: return "cr3";
    case 4: return "cr4";
    case 0x80: return "efer";
    default: return "cr?";
    }
}

std::string jsonl(const Trace& t, const Symbolizer& syms) {
    std::string out;
    out += "{\"kind\":\"header\",\"version\":" + std::to_string(t.version);
    header_members(out, t, false);
    out += "}\n";
    // User programs by address space, as analysis.cpp tells them apart.
    ProgramTracker programs;
    for (const Event& e : t.events) {
        const Fields& f = e.f;
        programs.observe(e);
        auto sym = [&](const char* k, uint64_t addr) {
            json::key(out, k);
            json::string(out, syms.name(addr, addr >> 47 ? std::string() : programs.program_of(f.cr3)));
        };
        auto num = [&](const char* k, uint64_t v) {
            json::key(out, k);
            json::uint(out, v);
        };
        auto str = [&](const char* k, const std::string& v) {
            json::key(out, k);
            json::string(out, v);
        };
        out += '{';
        json::key(out, "kind", true);
        json::string(out, to_string(f.kind));
        num("icount", e.r.icount);
        num("time_ns", e.r.time_ns);
        num("cpl", f.cpl);
        switch (f.kind) {
        case Kind::Call:
        case Kind::Return:
        case Kind::Iret:
            sym("from", e.r.a);
            sym("to", e.r.b);
            str("rsp", hex(e.r.rsp));
            break;
        case Kind::Interrupt:
        case Kind::Nmi:
            num("vector", f.aux);
            sym("rip", e.r.a);
            sym("handler", e.r.b);
            break;
        case Kind::Exception:
        case Kind::SoftInt:
            num("vector", f.aux);
            sym("rip", e.r.a);
            sym("handler", e.r.b);
            if (e.r.c >> 32) num("error_code", e.r.c & 0xffffffff);
            break;
        case Kind::Syscall:
            num("nr", f.aux);
            str("name", syscall_name(f.aux));
            sym("from", e.r.a);
            break;
        case Kind::Sysret: sym("to", e.r.b); break;
        case Kind::ControlWrite:
            str("register", control_register(f.aux));
            str("old", hex(e.r.a));
            str("new", hex(e.r.b));
            break;
        case Kind::ModeChange:
            str("from", bs::cpu::to_string(bs::cpu::CpuMode(f.aux >> 8)));
            str("to", bs::cpu::to_string(bs::cpu::CpuMode(f.aux & 0xff)));
            break;
        case Kind::Halt: sym("rip", e.r.a); break;
        case Kind::Console:
        case Kind::Exec: str("text", e.text); break;
        case Kind::PortSummary:
            num("port", f.aux);
            num("reads", e.r.a);
            num("writes", e.r.b);
            break;
        case Kind::Stop: str("reason", bs::emu::to_string(bs::emu::StopReason(f.aux))); break;
        case Kind::End: break;
        }
        if (f.kind != Kind::Console && f.kind != Kind::Exec && f.kind != Kind::PortSummary && f.kind != Kind::Stop)
            str("cr3", hex(f.cr3));
        out += "}\n";
    }
    return out;
}

}  // namespace

int trace_export_command(const std::string& path, const TraceReadOptions& opt, const std::string& format,
                         const std::string& output) {
    Trace t;
    if (!load_trace(path, t)) return kExitBadTrace;
    Symbolizer syms;
    if (!load_trace_symbols(t, opt, syms)) return kExitBadImage;
    const std::string text = format == "chrome" ? chrome(t, analyze(t, syms)) : jsonl(t, syms);
    if (output.empty() || output == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return 0;
    }
    std::ofstream f(output, std::ios::binary);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    f.close();
    if (!f) {
        spdlog::error("-o: cannot write '{}'", output);
        return kExitUsage;
    }
    return 0;
}

}  // namespace bs::frontend
