/*
 * /bin/hello - the program /sbin/init's child execs.  It prints its
 * arguments and environment and exits with status 42 for init to collect.
 * Run as pid 1 (rdinit=/bin/hello) it powers the machine off itself, since
 * pid 1 must not exit.
 */
#include "ulibc.h"

int main(int argc, char **argv, char **envp)
{
	printf("hello: Hello from /bin/hello! pid %d, ppid %d, argc %d\n", getpid(), getppid(), argc);
	for (int i = 0; i < argc; i++) printf("hello: argv[%d] = \"%s\"\n", i, argv[i]);
	for (int i = 0; envp[i]; i++) printf("hello: envp[%d] = \"%s\"\n", i, envp[i]);
	if (getpid() == 1) {
		printf("hello: I am pid 1 (rdinit=), powering off\n");
		reboot(LINUX_REBOOT_CMD_POWER_OFF);
	}
	return 42;
}
