/*
 * init.h - code and data used only while booting, and the initcall levels.
 *
 * __init functions and __initdata go into .init.text/.init.data, between
 * __init_begin and __init_end; free_initmem() unmaps and frees that range once
 * kernel_init is done with it, so nothing may call an __init function later.
 */
#ifndef INIT_H
#define INIT_H
#define __init     __attribute__((section(".init.text"), cold, noinline))
#define __initdata __attribute__((section(".init.data")))

typedef int (*initcall_t)(void);

/*
 * An initcall is a pointer placed in section .initcallN.init; the linker
 * script lays the levels out in order and do_initcalls() walks them.
 */
#define __define_initcall(fn, id) \
	static initcall_t __initcall_##fn##id __attribute__((used, section(".initcall" #id ".init"))) = fn
#define pure_initcall(fn)     __define_initcall(fn, 0)
#define core_initcall(fn)     __define_initcall(fn, 1)
#define postcore_initcall(fn) __define_initcall(fn, 2)
#define arch_initcall(fn)     __define_initcall(fn, 3)
#define subsys_initcall(fn)   __define_initcall(fn, 4)
#define fs_initcall(fn)       __define_initcall(fn, 5)
#define rootfs_initcall(fn)   __define_initcall(fn, rootfs)
#define device_initcall(fn)   __define_initcall(fn, 6)
#define late_initcall(fn)     __define_initcall(fn, 7)

/*
 * __setup("name=", fn) and early_param("name", fn): command-line handlers,
 * collected in .init.setup.  Early ones run from setup_arch()'s
 * parse_early_param(), the rest from start_kernel's parse_args().
 */
struct obs_kernel_param {
	const char *str;
	int (*setup_func)(char *);
	int early;
};
#define __setup_param(str, unique_id, fn, early)                                   \
	static char __setup_str_##unique_id[] __initdata = str;              \
	static struct obs_kernel_param __setup_##unique_id                          \
		__attribute__((used, section(".init.setup"), aligned(8))) = { __setup_str_##unique_id, fn, early }
#define __setup(str, fn) __setup_param(str, fn, fn, 0)
#define early_param(str, fn) __setup_param(str, fn, fn, 1)
#endif
