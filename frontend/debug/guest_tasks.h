// The guest kernel's tasks, read from guest memory through its symbols
// (`current`, `task_list`) and the bundled kernel's task_struct layout: for
// the Task view, and for naming user-program code after the program the
// current task runs. No ImGui here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bs::frontend::debug {

class Debugger;

struct GuestTask {
    uint64_t addr = 0;  // of its task_struct
    int pid = 0;
    std::string comm;
    int64_t state = 0;
    uint32_t flags = 0;
};

// The task `current` points to; false (with `why`) before the kernel runs
// or without its symbols.
bool current_task(const Debugger& dbg, GuestTask& t, std::string& why);
// Every task on the kernel's task_list, in list order.
std::vector<GuestTask> all_tasks(const Debugger& dbg);
// The initramfs path of the program the current task runs (its comm is the
// basename of what it exec'd), or "" when unknown.
std::string current_program(const Debugger& dbg);

}  // namespace bs::frontend::debug
