// The guest's tasks, read from its memory by kernel symbol (guest_tasks.h).
#include "guest_tasks.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "debugger.h"

namespace bs::frontend::debug {

namespace {

uint64_t read_le(const uint8_t* p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
    return v;
}

// struct task_struct of the bundled kernel (guest/kernel/include/sched.h):
// state (long) at 0, flags (u32) at 24, pid (int) at 28, comm[16] at 32,
// the `tasks` list_head at 96. A kernel built differently needs these changed.
constexpr unsigned kTaskState = 0, kTaskFlags = 24, kTaskPid = 28, kTaskComm = 32, kTaskTasks = 96;
constexpr unsigned kTaskBytes = 112;

bool read_task(const Debugger& dbg, uint64_t addr, GuestTask& t) {
    uint8_t b[kTaskBytes];
    if (!(addr >> 63) || !dbg.read_linear(addr, b, sizeof b)) return false;
    t.addr = addr;
    t.state = int64_t(read_le(b + kTaskState, 8));
    t.flags = uint32_t(read_le(b + kTaskFlags, 4));
    t.pid = int32_t(read_le(b + kTaskPid, 4));
    const char* comm = reinterpret_cast<const char*>(b + kTaskComm);
    t.comm.assign(comm, strnlen(comm, 16));
    for (char ch : t.comm) {
        if (ch < 0x20 || ch >= 0x7f) return false;
    }
    return t.pid >= 0 && t.pid < (1 << 22);
}

}  // namespace

bool current_task(const Debugger& dbg, GuestTask& t, std::string& why) {
    uint64_t sym = 0;
    if (!dbg.symbols().kernel || !dbg.symbols().kernel->find("current")) {
        why = "no kernel symbol 'current' (no vmlinux beside the kernel?)";
        return false;
    }
    dbg.resolve("current", sym);
    uint8_t b[8];
    if (!dbg.read_linear(sym, b, 8)) {
        char m[96];
        std::snprintf(m, sizeof m, "'current' (%#" PRIx64 ") is not mapped yet: the kernel is not running", sym);
        why = m;
        return false;
    }
    if (!read_task(dbg, read_le(b, 8), t)) {
        why = "'current' does not point to a task_struct (yet)";
        return false;
    }
    return true;
}

std::vector<GuestTask> all_tasks(const Debugger& dbg) {
    std::vector<GuestTask> tasks;
    uint64_t head = 0;
    if (!dbg.symbols().kernel || !dbg.symbols().kernel->find("task_list") || !dbg.resolve("task_list", head))
        return tasks;
    uint64_t node = head;
    for (int i = 0; i < 256; ++i) {
        uint8_t b[8];
        if (!dbg.read_linear(node, b, 8)) break;
        node = read_le(b, 8);  // list_head.next
        if (node == head) break;
        GuestTask t;
        if (!read_task(dbg, node - kTaskTasks, t)) break;
        tasks.push_back(t);
    }
    return tasks;
}


std::string current_program(const Debugger& dbg) {
    GuestTask t;
    std::string why;
    if (!current_task(dbg, t, why)) return {};
    // The kernel names a task after the basename of what it exec'd, as Linux does.
    for (const auto& [path, table] : dbg.symbols().programs) {
        if (path.substr(path.find_last_of('/') + 1) == t.comm) return path;
    }
    return {};
}

}  // namespace bs::frontend::debug
