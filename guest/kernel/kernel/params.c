/*
 * params.c - splitting the command line into "param" and "param=value"
 * words (values may be "quoted with spaces") and handing each to a
 * callback.  start_kernel uses it twice: once for early_param handlers
 * (from setup_arch) and once for everything else.
 */
#include "../include/kernel.h"
#include "../include/init.h"

static char *next_arg(char *args, char **param, char **val)
{
	bool in_quote = false;
	char *p = args;
	*val = NULL;
	if (*p == '"') {
		p++;
		args++;
		in_quote = true;
	}
	for (; *p; p++) {
		if (*p == ' ' && !in_quote)
			break;
		if (*p == '=' && !*val) {
			*p = 0;
			*val = p + 1;
			if (**val == '"') {
				(*val)++;
				in_quote = true;
			}
			continue;
		}
		if (*p == '"')
			in_quote = !in_quote;
	}
	if (p > args && p[-1] == '"')
		p[-1] = 0;
	*param = args;
	if (*p)
		*p++ = 0;
	while (*p == ' ')
		p++;
	return p;
}

/* Call unknown(param, val) for every word; the string is cut up in place. */
char *parse_args(const char *doing, char *args, int (*unknown)(char *param, char *val))
{
	while (*args == ' ')
		args++;
	while (*args) {
		char *param, *val;
		args = next_arg(args, &param, &val);
		if (unknown(param, val))
			pr_warn("%s: `%s' invalid for parameter\n", doing, param);
	}
	return NULL;
}
