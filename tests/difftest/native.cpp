// The native side of the differential test (see native.h).
//
// Code page (kCodeBase):
//   +0x0000  prologue: save host callee-saved registers and RSP, FXRSTOR64,
//            POPFQ, pop the 16 GPRs from the input state, jump to the insn
//   +0x0400  epilogue: store the 16 GPRs, PUSHFQ, FXSAVE64, reset x87/MXCSR,
//            restore the host stack, clear DF/AC, return
//   +0x1000  landing pads every 32 bytes: `mov qword [out.rip], pad; jmp epilogue`
//   +0x8000  the instruction under test, then a fall-through pad (the 64-byte
//            slot holds no fixed pad)
#include "native.h"

#include <cerrno>
#include <csetjmp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#include <vector>

namespace bs::difftest {

namespace {

// The control block at kCtlBase, addressed absolutely by the generated code.
struct Control {
    ArchState in;
    ArchState out;
    uint64_t host_rsp;
    uint32_t mxcsr_default;
};

Control* ctl() { return reinterpret_cast<Control*>(kCtlBase); }

uint32_t abs32(const void* p) { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p)); }

class Emitter {
public:
    explicit Emitter(uint64_t at) : at_(at) {}
    Emitter& b(std::initializer_list<uint8_t> bytes) {
        out_.insert(out_.end(), bytes);
        return *this;
    }
    Emitter& d32(uint32_t v) {
        for (int i = 0; i < 4; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
        return *this;
    }
    uint64_t here() const { return at_ + out_.size(); }
    // jmp rel32 to an absolute target.
    Emitter& jmp(uint64_t target) {
        b({0xe9});
        return d32(static_cast<uint32_t>(target - (here() + 4)));
    }
    void store() const { std::memcpy(reinterpret_cast<void*>(at_), out_.data(), out_.size()); }
    size_t size() const { return out_.size(); }

private:
    uint64_t at_;
    std::vector<uint8_t> out_;
};

// `mov qword [abs32 out.rip], imm32(at)` + `jmp epilogue` at `at` (17 bytes).
void write_pad(uint64_t at) {
    Emitter e(at);
    e.b({0x48, 0xc7, 0x04, 0x25}).d32(abs32(&ctl()->out.rip)).d32(static_cast<uint32_t>(at)).jmp(kEpilogue);
    e.store();
}

void write_code_page() {
    Control* c = ctl();
    // Prologue.
    Emitter p(kCodeBase);
    p.b({0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57});  // push rbx rbp r12-r15
    p.b({0x48, 0x89, 0x24, 0x25}).d32(abs32(&c->host_rsp));           // mov [host_rsp], rsp
    p.b({0x48, 0x0f, 0xae, 0x0c, 0x25}).d32(abs32(c->in.fx));           // fxrstor64 [in.fx]
    p.b({0x48, 0xc7, 0xc4}).d32(abs32(&c->in.rflags));                  // mov rsp, &in.rflags
    p.b({0x9d});                                                        // popfq
    p.b({0x48, 0xc7, 0xc4}).d32(abs32(&c->in.gpr[0]));                  // mov rsp, &in.gpr (no flags)
    p.b({0x58, 0x59, 0x5a, 0x5b});                                      // pop rax rcx rdx rbx
    p.b({0x48, 0x8d, 0x64, 0x24, 0x08});                                // lea rsp, [rsp+8]
    p.b({0x5d, 0x5e, 0x5f});                                            // pop rbp rsi rdi
    for (uint8_t r = 0; r < 8; ++r) p.b({0x41, static_cast<uint8_t>(0x58 + r)});  // pop r8..r15
    p.b({0x48, 0x8b, 0x24, 0x25}).d32(abs32(&c->in.gpr[4]));            // mov rsp, [in.rsp]
    p.jmp(kInsnAddr);
    p.store();

    // Epilogue.
    Emitter e(kEpilogue);
    for (uint8_t r = 0; r < 16; ++r) {  // mov [out.gpr[r]], r
        e.b({static_cast<uint8_t>(0x48 | (r >> 3) << 2), 0x89, static_cast<uint8_t>(0x04 | (r & 7) << 3), 0x25})
            .d32(abs32(&c->out.gpr[r]));
    }
    e.b({0x48, 0xc7, 0xc4}).d32(abs32(&c->out.rflags + 1));            // mov rsp, &out.rflags + 8
    e.b({0x9c});                                                        // pushfq
    e.b({0x48, 0x0f, 0xae, 0x04, 0x25}).d32(abs32(c->out.fx));          // fxsave64 [out.fx]
    e.b({0xdb, 0xe3});                                                  // fninit
    e.b({0x0f, 0xae, 0x14, 0x25}).d32(abs32(&c->mxcsr_default));        // ldmxcsr [0x1f80]
    e.b({0x48, 0x8b, 0x24, 0x25}).d32(abs32(&c->host_rsp));             // mov rsp, [host_rsp]
    e.b({0x68, 0x02, 0x02, 0x00, 0x00, 0x9d});                          // push 0x202; popfq
    e.b({0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b});  // pop r15..r12 rbp rbx
    e.b({0xc3});
    e.store();

    for (uint64_t at = kPadFirst; at + kPadStride <= kCodeBase + kCodeSize; at += kPadStride) {
        if (at >= kInsnAddr && at < kInsnAddr + kInsnSlot) continue;
        write_pad(at);
    }
}

// Child-process globals: the signal handlers reach the running batch only
// through this one block (a signal handler has no other way in).
struct ChildState {
    sigjmp_buf jb;
    volatile sig_atomic_t in_native = 0;
    volatile size_t current = 0;
    size_t watched = ~size_t{0};
    const Case* cases = nullptr;
    NativeResult* results = nullptr;
    size_t* progress = nullptr;
};
ChildState g_child;

void capture(NativeResult& r, const ucontext_t* uc) {
    const greg_t* g = uc->uc_mcontext.gregs;
    static constexpr int kMap[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                     REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
    for (int i = 0; i < 16; ++i) r.out.gpr[i] = static_cast<uint64_t>(g[kMap[i]]);
    r.out.rip = static_cast<uint64_t>(g[REG_RIP]);
    r.out.rflags = static_cast<uint64_t>(g[REG_EFL]);
    r.err = static_cast<uint64_t>(g[REG_ERR]);
    r.vector = static_cast<uint8_t>(g[REG_TRAPNO]);
    const uint8_t* fp = reinterpret_cast<const uint8_t*>(uc->uc_mcontext.fpregs);
    std::memcpy(r.out.fx, fp, 512);
    // With XSAVE signal frames, a component in its initial state may not be
    // written; the XSAVE header says which ones are (SDM Vol. 1 §13.7).
    uint32_t magic;
    std::memcpy(&magic, fp + 464, 4);
    if (magic == 0x46505853u) {  // FP_XSTATE_MAGIC1
        uint64_t bv;
        std::memcpy(&bv, fp + 512, 8);
        if (!(bv & 1)) {
            std::memset(r.out.fx, 0, fx::MXCSR);
            std::memset(r.out.fx + fx::ST, 0, 128);
            r.out.fx[fx::FCW] = 0x7f;
            r.out.fx[fx::FCW + 1] = 0x03;
        }
        if (!(bv & 2)) std::memset(r.out.fx + fx::XMM, 0, 256);
    }
}

void on_fault(int sig, siginfo_t* si, void* ucv) {
    if (!g_child.in_native) {  // a bug in the harness itself: die visibly
        signal(sig, SIG_DFL);
        return;
    }
    g_child.in_native = 0;
    const ucontext_t* uc = static_cast<const ucontext_t*>(ucv);
    const Case& c = g_child.cases[g_child.current];
    NativeResult& r = g_child.results[g_child.current];
    capture(r, uc);
    r.signo = sig;
    r.si_code = si->si_code;
    r.addr = reinterpret_cast<uint64_t>(si->si_addr);
    const uint64_t rip = r.out.rip;
    if (rip >= kInsnAddr && rip < kInsnAddr + c.len && sig != SIGTRAP) {
        r.kind = NativeResult::Fault;
    } else if (sig == SIGSEGV && r.vector == 14 && r.addr == rip &&
               !(rip >= kCodeBase && rip < kCodeBase + kCodeSize)) {
        r.kind = NativeResult::FetchFault;
    } else {
        r.kind = NativeResult::HarnessFault;
    }
    siglongjmp(g_child.jb, 1);
}

void on_alarm(int, siginfo_t*, void*) {
    if (g_child.in_native && g_child.watched == g_child.current) {
        g_child.in_native = 0;
        g_child.results[g_child.current].kind = NativeResult::Timeout;
        siglongjmp(g_child.jb, 1);
    }
    g_child.watched = g_child.current;
}

void* map_fixed(uint64_t addr, size_t size, int prot) {
    void* p = mmap(reinterpret_cast<void*>(addr), size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != reinterpret_cast<void*>(addr)) {
        std::fprintf(stderr, "difftest: cannot map %#lx: %s\n", static_cast<unsigned long>(addr), std::strerror(errno));
        _exit(3);
    }
    return p;
}

// One case: its own frame, so nothing live across sigsetjmp is clobbered.
__attribute__((noinline)) void run_one(const Case& c, NativeResult& r) {
    uint8_t* slot = reinterpret_cast<uint8_t*>(kInsnAddr);
    fill_data(c, reinterpret_cast<uint8_t*>(kDataBase));
    std::memset(slot, 0xcc, kInsnSlot);
    std::memcpy(slot, c.bytes, c.len);
    write_pad(kInsnAddr + c.len);
    ctl()->in = c.in;
    ctl()->out.rip = ~0ull;
    if (sigsetjmp(g_child.jb, 1) == 0) {
        g_child.in_native = 1;
        reinterpret_cast<void (*)()>(kCodeBase)();
        g_child.in_native = 0;
        r.out = ctl()->out;
        r.kind = NativeResult::Completed;
    }
}

[[noreturn]] void child_main(const Case* cases, size_t begin, size_t n, NativeResult* results, uint8_t* memory,
                             size_t* progress) {
    map_fixed(kGuardBase, kGuardSize, PROT_NONE);
    munmap(reinterpret_cast<void*>(kDataBase), kDataSize);
    map_fixed(kDataBase, kDataSize, PROT_READ | PROT_WRITE);
    map_fixed(kCodeBase, kCodeSize, PROT_READ | PROT_WRITE | PROT_EXEC);
    map_fixed(kCtlBase, 0x2000, PROT_READ | PROT_WRITE);
    map_fixed(kHoleBase, 0x10000, PROT_NONE);
    write_code_page();
    ctl()->mxcsr_default = 0x1f80;
    // Only the instruction's page stays writable: a stray store elsewhere faults.
    mprotect(reinterpret_cast<void*>(kCodeBase), kInsnAddr - kCodeBase, PROT_READ | PROT_EXEC);
    mprotect(reinterpret_cast<void*>(kInsnAddr + 0x1000), kCodeBase + kCodeSize - kInsnAddr - 0x1000,
             PROT_READ | PROT_EXEC);

    static std::vector<uint8_t> altstack(1 << 20);
    stack_t ss{};
    ss.ss_sp = altstack.data();
    ss.ss_size = altstack.size();
    sigaltstack(&ss, nullptr);
    struct sigaction sa {};
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP}) sigaction(sig, &sa, nullptr);
    sa.sa_sigaction = on_alarm;
    sigaction(SIGALRM, &sa, nullptr);
    itimerval it{{2, 0}, {2, 0}};
    setitimer(ITIMER_REAL, &it, nullptr);

    g_child.cases = cases;
    g_child.results = results;
    g_child.progress = progress;
    for (size_t i = begin; i < n; ++i) {
        *progress = i;
        g_child.current = i;
        run_one(cases[i], results[i]);
        std::memcpy(memory + i * kDataSize, reinterpret_cast<const void*>(kDataBase), kDataSize);
    }
    *progress = n;
    _exit(0);
}

}  // namespace

NativeRunner::NativeRunner() {
    shared_size_ = kBatch * sizeof(NativeResult) + kBatch * kDataSize + 4096;
    shared_ = mmap(nullptr, shared_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared_ == MAP_FAILED) {
        std::perror("difftest: mmap shared");
        std::exit(2);
    }
    results_ = static_cast<NativeResult*>(shared_);
    memory_ = reinterpret_cast<uint8_t*>(results_ + kBatch);
    progress_ = reinterpret_cast<size_t*>(memory_ + kBatch * kDataSize);
}

NativeRunner::~NativeRunner() { munmap(shared_, shared_size_); }

unsigned NativeRunner::run(const Case* cases, size_t n) {
    unsigned crashes = 0;
    size_t begin = 0;
    for (size_t i = 0; i < n; ++i) results_[i] = NativeResult{};
    while (begin < n) {
        *progress_ = begin;
        std::fflush(nullptr);
        const pid_t pid = fork();
        if (pid < 0) {
            std::perror("difftest: fork");
            std::exit(2);
        }
        if (pid == 0) child_main(cases, begin, n, results_, memory_, progress_);
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && *progress_ == n) break;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 3) std::exit(2);  // cannot map the layout
        const size_t at = *progress_;
        results_[at].kind = NativeResult::Crash;
        results_[at].signo = WIFSIGNALED(status) ? WTERMSIG(status) : -WEXITSTATUS(status);
        ++crashes;
        begin = at + 1;
    }
    return crashes;
}

}  // namespace bs::difftest
