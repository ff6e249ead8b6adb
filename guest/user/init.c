/*
 * /sbin/init - the first user program (pid 1).
 *
 * Greets, shows what the kernel handed it (pid, argv, environment), reads a
 * few files the kernel provides (/proc/uptime, /proc/meminfo's first line,
 * /etc/motd from the initramfs), asks the time, lists /, shows what was
 * typed on the console so far (keyboard or serial line), forks a child that
 * execs /bin/hello and reaps it, then powers the machine off.
 */
#include "ulibc.h"

static void cat(const char *path, int max_lines)
{
	char buf[512];
	int fd = open(path, O_RDONLY), lines = 0;
	long n;
	if (fd < 0) { printf("init: cannot open %s (errno %d)\n", path, errno); return; }
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) n = 0;
	buf[n] = 0;
	for (long i = 0; i < n; i++)
		if (buf[i] == '\n' && ++lines == max_lines) { buf[i + 1] = 0; break; }
	printf("init: %s: %s", path, buf);
	if (n && buf[strlen(buf) - 1] != '\n') printf("\n");
}

static void show_date(void)
{
	struct timespec ts;
	long days, secs, y = 1970, m = 0;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	clock_gettime(CLOCK_REALTIME, &ts);
	days = ts.tv_sec / 86400;
	secs = ts.tv_sec % 86400;
	for (;;) {
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		if (days < 365 + leap) break;
		days -= 365 + leap; y++;
	}
	for (;; m++) {
		int d = mdays[m] + (m == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
		if (days < d) break;
		days -= d;
	}
	printf("init: RTC date %ld-%02ld-%02ld %02ld:%02ld:%02ld UTC\n", y, m + 1, days + 1,
	       secs / 3600, secs / 60 % 60, secs % 60);
}

static void list_root(void)
{
	char buf[1024], line[256];
	size_t len = 0;
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	long n = fd < 0 ? -1 : getdents64(fd, buf, sizeof(buf));
	if (n < 0) { printf("init: cannot list /\n"); return; }
	for (long off = 0; off < n;) {
		struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
		len += snprintf(line + len, sizeof(line) - len, " %s", d->d_name);
		off += d->d_reclen;
	}
	close(fd);
	printf("init: / contains:%s\n", line);
}

/* Reads of /dev/console take what has arrived and do not wait: nothing typed, nothing said. */
static void show_console_input(void)
{
	char in[128], shown[4 * sizeof(in) + 1];
	size_t len = 0;
	long n = read(0, in, sizeof(in));
	if (n <= 0) return;
	for (long i = 0; i < n; i++) {
		unsigned char c = in[i];
		if (c == '\n') len += snprintf(shown + len, sizeof(shown) - len, "\\n");
		else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') len += snprintf(shown + len, sizeof(shown) - len, "\\x%02x", c);
		else shown[len++] = c;
	}
	shown[len] = 0;
	printf("init: console input: \"%s\"\n", shown);
}

int main(int argc, char **argv, char **envp)
{
	struct utsname u;
	int status;
	pid_t child;
	char *child_argv[] = { "/bin/hello", "from-init", NULL };
	char *child_envp[] = { "HOME=/", "TERM=linux", NULL };

	printf("init: Hello from /sbin/init! pid %d, ppid %d\n", getpid(), getppid());
	for (int i = 0; i < argc; i++) printf("init: argv[%d] = \"%s\"\n", i, argv[i]);
	for (int i = 0; envp[i]; i++) printf("init: envp[%d] = \"%s\"\n", i, envp[i]);
	uname(&u);
	printf("init: uname: %s %s %s %s\n", u.sysname, u.nodename, u.release, u.machine);
	cat("/proc/uptime", 1);
	cat("/proc/meminfo", 2);
	cat("/etc/motd", 1);
	show_date();
	list_root();
	show_console_input();

	{	/* the heap: brk and an anonymous mmap */
		char *p = sbrk(8192), *q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		p[8191] = 'b'; q[4095] = 'm';
		printf("init: heap at %lx (brk), anonymous page at %lx: ok\n", (unsigned long)p, (unsigned long)q);
	}

	child = fork();
	if (child == 0) {
		printf("init: child pid %d running, exec /bin/hello\n", getpid());
		execve("/bin/hello", child_argv, child_envp);
		printf("init: child: execve failed, errno %d\n", errno);
		exit(127);
	}
	if (child < 0) { printf("init: fork failed, errno %d\n", errno); return 1; }
	printf("init: forked child pid %d, waiting\n", child);
	if (waitpid(child, &status, 0) != child) printf("init: wait4 failed, errno %d\n", errno);
	else printf("init: child %d exited with status %d\n", child, WEXITSTATUS(status));

	{
		struct timespec t = { 0, 20 * 1000 * 1000 };
		nanosleep(&t, NULL);
	}
	cat("/proc/uptime", 1);
	printf("init: all done, powering off\n");
	reboot(LINUX_REBOOT_CMD_POWER_OFF);
	printf("init: reboot() returned, errno %d\n", errno);
	return 1;
}
