// kvm_run: runs a bare-metal system-test ROM image on the host CPU through
// the Linux KVM API, the judge the QEMU and Bootscope runs are compared with.
//
// Usage: kvm_run [--skip-on-pvm] IMAGE [TIMEOUT_SECONDS]
//
// --skip-on-pvm: skip (exit 77) when the host's KVM is PVM (module kvm_pvm),
// a paravirtual hypervisor that runs a non-PVM guest's kernel mode through
// KVM's instruction emulator and gets some system instructions wrong (used
// for the images listed in kvm_pvm_skip.txt).
//
// The machine: 32 MiB of RAM at 0 (less the BIOS window), the 64 KiB image
// read-only at 0xF0000 and at 0xFFFF0000, one vCPU in its reset state (EDX
// set to the CPUID.1:EAX signature as the architecture defines it), the CPUID
// the host supports (so long mode, NX and 1 GiB pages are there), no
// interrupt controller. Ports: 0xE9 bytes are copied to stdout (reads give
// 0xE9, as QEMU's debugcon); a byte v written to 0xF4 ends the run. Other
// ports read all ones and ignore writes; so does unbacked memory.
//
// Output, the same as tests/system/qemu_run.sh and bootscope_run: the bytes
// the guest wrote to port 0xE9, then one line: exit=<v>, shutdown (triple
// fault), halted (HLT: no interrupt can come), or timeout.
//
// Exit status: 0 when the run ended one of those ways, 77 (CTest skip) when
// /dev/kvm is missing or unusable or when KVM's instruction emulator cannot
// run an instruction of the guest (KVM then has no verdict to give), 1 on a
// KVM error, 2 on bad arguments.
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

constexpr uint64_t kRamSize = 32ull << 20;
constexpr uint64_t kRomSize = 64 << 10;
constexpr uint64_t kBiosBase = 0xF0000;
constexpr uint64_t kHighRomBase = 0x100000000ull - kRomSize;
constexpr uint16_t kDebugconPort = 0xE9;
constexpr uint16_t kExitPort = 0xF4;

volatile sig_atomic_t g_timed_out = 0;
kvm_run* g_run = nullptr;

void on_alarm(int) {
    g_timed_out = 1;
    if (g_run) g_run->immediate_exit = 1;
}

int g_last = '\n';  // the last byte written to stdout

void guest_byte(uint8_t b) {
    std::fputc(b, stdout);
    g_last = b;
}

// Ends the run with its final line.
[[noreturn]] void finish(const std::string& line) {
    if (g_last != '\n') std::fputc('\n', stdout);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    std::exit(0);
}

[[noreturn]] void skip(const std::string& why) {
    std::printf("SKIP: %s\n", why.c_str());
    std::exit(77);
}

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "kvm_run: %s: %s\n", what.c_str(), std::strerror(errno));
    std::exit(1);
}

void set_slot(int vm, uint32_t slot, uint64_t gpa, uint64_t size, void* host, bool readonly) {
    kvm_userspace_memory_region r{};
    r.slot = slot;
    r.flags = readonly ? KVM_MEM_READONLY : 0;
    r.guest_phys_addr = gpa;
    r.memory_size = size;
    r.userspace_addr = reinterpret_cast<uint64_t>(host);
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0) fail("KVM_SET_USER_MEMORY_REGION");
}

// struct kvm_cpuid2 with its C layout. Compiled as C++, the kernel header's
// flexible array (__DECLARE_FLEX_ARRAY) gets an empty struct of size 1 in
// front of it, which moves `entries` to offset 12 and changes the size
// encoded in KVM_GET_SUPPORTED_CPUID/KVM_SET_CPUID2: both then fail with
// EINVAL. So the header and the ioctl numbers are spelled out here.
struct CpuidHeader {
    uint32_t nent;
    uint32_t padding;
};
constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, CpuidHeader);
constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, CpuidHeader);

kvm_cpuid_entry2* cpuid_entries(std::vector<uint8_t>& buf) {
    return reinterpret_cast<kvm_cpuid_entry2*>(buf.data() + sizeof(CpuidHeader));
}

// The host's CPUID as KVM can offer it to a guest.
std::vector<uint8_t> supported_cpuid(int kvm) {
    for (uint32_t n = 64;; n *= 2) {
        std::vector<uint8_t> buf(sizeof(CpuidHeader) + n * sizeof(kvm_cpuid_entry2));
        reinterpret_cast<CpuidHeader*>(buf.data())->nent = n;
        if (ioctl(kvm, kGetSupportedCpuid, buf.data()) == 0) return buf;
        if (errno != E2BIG || n > 4096) fail("KVM_GET_SUPPORTED_CPUID");
    }
}

}  // namespace

int main(int argc, char** argv) {
    bool skip_on_pvm = false;
    if (argc > 1 && std::string(argv[1]) == "--skip-on-pvm") {
        skip_on_pvm = true;
        --argc;
        ++argv;
    }
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: kvm_run [--skip-on-pvm] IMAGE [TIMEOUT_SECONDS]\n");
        return 2;
    }
    if (skip_on_pvm && access("/sys/module/kvm_pvm", F_OK) == 0)
        skip("this host's KVM is PVM, which does not run this image as hardware does (see kvm_pvm_skip.txt)");
    const unsigned timeout = argc == 3 ? static_cast<unsigned>(std::atoi(argv[2])) : 10;
    std::ifstream in(argv[1], std::ios::binary);
    std::vector<uint8_t> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in || image.size() != kRomSize) {
        std::fprintf(stderr, "kvm_run: %s: not a 64 KiB ROM image\n", argv[1]);
        return 2;
    }

    const int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) skip(std::string("/dev/kvm: ") + std::strerror(errno));
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) skip("unexpected KVM API version");
    if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) <= 0) skip("KVM without read-only memory slots");
    if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0) skip("KVM without immediate_exit");
    const int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) skip(std::string("KVM_CREATE_VM: ") + std::strerror(errno));
    // Intel VMX needs these two pages for real mode when unrestricted guest is
    // unavailable; they sit in the hole below the high ROM.
    if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0 &&
        ioctl(vm, KVM_SET_TSS_ADDR, 0xFFFBD000ul) < 0)
        fail("KVM_SET_TSS_ADDR");
    uint64_t identity_map = 0xFFFBC000;
    if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0 &&
        ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &identity_map) < 0)
        fail("KVM_SET_IDENTITY_MAP_ADDR");

    void* ram = mmap(nullptr, kRamSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    void* rom = mmap(nullptr, kRomSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ram == MAP_FAILED || rom == MAP_FAILED) fail("mmap");
    std::memcpy(rom, image.data(), kRomSize);
    set_slot(vm, 0, 0, kBiosBase, ram, false);
    set_slot(vm, 1, kBiosBase, kRomSize, rom, true);
    set_slot(vm, 2, kBiosBase + kRomSize, kRamSize - kBiosBase - kRomSize,
             static_cast<uint8_t*>(ram) + kBiosBase + kRomSize, false);
    set_slot(vm, 3, kHighRomBase, kRomSize, rom, true);

    const int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) fail("KVM_CREATE_VCPU");
    std::vector<uint8_t> cpuid = supported_cpuid(kvm);
    const uint32_t nent = reinterpret_cast<CpuidHeader*>(cpuid.data())->nent;
    uint32_t signature = 0x600;
    for (uint32_t i = 0; i < nent; ++i)
        if (cpuid_entries(cpuid)[i].function == 1) signature = cpuid_entries(cpuid)[i].eax;
    if (ioctl(vcpu, kSetCpuid2, cpuid.data()) < 0) fail("KVM_SET_CPUID2");
    kvm_regs regs{};
    if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0) fail("KVM_GET_REGS");
    regs.rdx = signature;
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) fail("KVM_SET_REGS");

    const int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size <= 0) fail("KVM_GET_VCPU_MMAP_SIZE");
    auto* run = static_cast<kvm_run*>(mmap(nullptr, static_cast<size_t>(run_size), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0));
    if (run == MAP_FAILED) fail("mmap kvm_run");
    g_run = run;

    struct sigaction sa{};
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, nullptr);
    alarm(timeout);

    unsigned mmio_exits = 0;
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR && g_timed_out) finish("timeout");
            if (errno == EINTR || errno == EAGAIN) continue;
            fail("KVM_RUN");
        }
        switch (run->exit_reason) {
        case KVM_EXIT_IO: {
            auto* data = reinterpret_cast<uint8_t*>(run) + run->io.data_offset;
            const size_t bytes = size_t(run->io.size) * run->io.count;
            if (run->io.direction == KVM_EXIT_IO_OUT) {
                if (run->io.port == kDebugconPort)
                    for (size_t i = 0; i < bytes; i += run->io.size) guest_byte(data[i]);
                else if (run->io.port == kExitPort)
                    finish("exit=" + std::to_string(data[0]));
            } else {
                std::memset(data, run->io.port == kDebugconPort ? 0xE9 : 0xFF, bytes);
            }
            break;
        }
        case KVM_EXIT_MMIO:
            if (!run->mmio.is_write) std::memset(run->mmio.data, 0xFF, sizeof(run->mmio.data));
            if (++mmio_exits <= 8)
                std::fprintf(stderr, "kvm_run: %s of unbacked memory at %#llx\n",
                             run->mmio.is_write ? "write" : "read",
                             static_cast<unsigned long long>(run->mmio.phys_addr));
            break;
        case KVM_EXIT_HLT:
            finish("halted");
        case KVM_EXIT_SHUTDOWN:
            finish("shutdown");
        case KVM_EXIT_INTR:
            if (g_timed_out) finish("timeout");
            break;
        case KVM_EXIT_FAIL_ENTRY:
            std::fprintf(stderr, "kvm_run: entry failed, hardware reason %#llx\n",
                         static_cast<unsigned long long>(run->fail_entry.hardware_entry_failure_reason));
            return 1;
        case KVM_EXIT_INTERNAL_ERROR: {
            kvm_regs r{};
            kvm_sregs sr{};
            ioctl(vcpu, KVM_GET_REGS, &r);
            ioctl(vcpu, KVM_GET_SREGS, &sr);
            char where[128];
            std::snprintf(where, sizeof where, "cs=%#x rip=%#llx (linear %#llx)", sr.cs.selector,
                          static_cast<unsigned long long>(r.rip), static_cast<unsigned long long>(sr.cs.base + r.rip));
            // KVM runs what the hardware cannot (real mode without
            // unrestricted guest; kernel mode under PVM) in its instruction
            // emulator, which lacks e.g. UD2 in real mode and INT n/IRET
            // outside it. No verdict: skip.
            if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
                if (g_last != '\n') std::fputc('\n', stdout);
                skip(std::string("KVM's instruction emulator cannot run the instruction at ") + where);
            }
            std::fprintf(stderr, "kvm_run: KVM internal error, suberror %u, at %s\n", run->internal.suberror, where);
            return 1;
        }
        default:
            std::fprintf(stderr, "kvm_run: unexpected exit reason %u\n", run->exit_reason);
            return 1;
        }
    }
}
