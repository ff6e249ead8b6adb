#include "../include/kernel.h"
/* The first line start_kernel logs. */
const char linux_banner[] =
	"Linux version 0.1.0-bootscope (bootscope@build) (gcc " __VERSION__ ") #1 " "miniature x86_64 kernel\n";
